#!/usr/bin/env bash
# Installs what the build and the tests need and, when the system librdkafka is older than
# 2.6.1 (Debian bookworm ships 2.0.2), builds Debian's librdkafka 2.8.0 source package into the
# build tree. Idempotent: a second run only checks.
#
#   scripts/setup.sh [--deps-dir DIR]      (default: build/deps)
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
deps_dir="$here/build/deps"
[[ "${1:-}" == "--deps-dir" ]] && deps_dir=$(realpath -m "$2")

RDKAFKA_MIN=2.6.1
RDKAFKA_DEB_VERSION=2.8.0
RDKAFKA_DEB_SUITE=trixie

log() { printf 'setup: %s\n' "$*" >&2; }

packages=(
  build-essential cmake ninja-build pkg-config git
  libyaml-cpp-dev libboost-program-options-dev libboost-dev prometheus-cpp-dev
  nlohmann-json3-dev libgtest-dev libgmock-dev googletest
  libssl-dev libsasl2-dev libzstd-dev liblz4-dev zlib1g-dev libcurl4-openssl-dev
  clang-format clang-tidy ccache
  python3 curl ca-certificates
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    log "missing Debian packages: ${missing[*]} (run as root, or install them with apt-get)"
    exit 1
  fi
  log "installing: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# --- librdkafka -------------------------------------------------------------------------------
if pkg-config --atleast-version="$RDKAFKA_MIN" rdkafka 2>/dev/null; then
  log "system librdkafka $(pkg-config --modversion rdkafka) is new enough"
  exit 0
fi

prefix="$deps_dir/librdkafka"
if PKG_CONFIG_PATH="$prefix/lib/pkgconfig" pkg-config --atleast-version="$RDKAFKA_MIN" rdkafka 2>/dev/null &&
   [[ -f "$prefix/lib/librdkafka.so" ]]; then
  log "librdkafka $(PKG_CONFIG_PATH="$prefix/lib/pkgconfig" pkg-config --modversion rdkafka) in $prefix"
  exit 0
fi

cache="${MIRROR_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/mirror}/librdkafka-$RDKAFKA_DEB_VERSION"
mkdir -p "$cache"
tarball="$cache/librdkafka_${RDKAFKA_DEB_VERSION}.orig.tar.gz"
if [[ ! -s "$tarball" ]]; then
  # Fetch the source package with apt's own source support, from the Debian mirror this machine
  # already uses, through a private sources list and state folder (the system's apt is untouched).
  uri=""
  if [[ -f /etc/apt/sources.list.d/debian.sources ]]; then
    uri=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources)
  fi
  if [[ -z "$uri" && -f /etc/apt/sources.list ]]; then
    uri=$(awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; exit } }' /etc/apt/sources.list)
  fi
  [[ -n "$uri" ]] || { log "cannot find the Debian mirror in /etc/apt; cannot fetch librdkafka source"; exit 1; }
  apt_dir="$cache/apt"
  mkdir -p "$apt_dir/lists/partial"
  echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri $RDKAFKA_DEB_SUITE main" >"$apt_dir/sources.list"
  apt_opts=(-o "Dir::Etc::SourceList=$apt_dir/sources.list" -o "Dir::Etc::SourceParts=/dev/null"
            -o "Dir::State::Lists=$apt_dir/lists" -o "APT::Sandbox::User=root")
  log "fetching Debian source package librdkafka $RDKAFKA_DEB_VERSION ($RDKAFKA_DEB_SUITE)"
  apt-get "${apt_opts[@]}" update -qq
  (cd "$cache" && apt-get "${apt_opts[@]}" source --download-only -qq "librdkafka=${RDKAFKA_DEB_VERSION}-1") >/dev/null
  [[ -s "$tarball" ]] || { log "download of librdkafka source failed"; exit 1; }
fi

src="$deps_dir/src/librdkafka-$RDKAFKA_DEB_VERSION"
rm -rf "$src" "$deps_dir/src/build"
mkdir -p "$deps_dir/src"
tar -xzf "$tarball" -C "$deps_dir/src"
log "building librdkafka $RDKAFKA_DEB_VERSION into $prefix"
cmake -S "$src" -B "$deps_dir/src/build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_INSTALL_PREFIX="$prefix" -DCMAKE_INSTALL_LIBDIR=lib \
  -DRDKAFKA_BUILD_TESTS=OFF -DRDKAFKA_BUILD_EXAMPLES=OFF -DRDKAFKA_BUILD_STATIC=OFF \
  -DWITH_SSL=ON -DWITH_SASL=ON -DWITH_ZSTD=ON -DWITH_LZ4_EXT=ON -DWITH_ZLIB=ON -DWITH_CURL=OFF \
  >"$deps_dir/src/cmake.log" 2>&1 || { tail -30 "$deps_dir/src/cmake.log"; exit 1; }
ninja -C "$deps_dir/src/build" install >"$deps_dir/src/build.log" 2>&1 || { tail -30 "$deps_dir/src/build.log"; exit 1; }
rm -rf "$src" "$deps_dir/src/build"
log "librdkafka $(PKG_CONFIG_PATH="$prefix/lib/pkgconfig" pkg-config --modversion rdkafka) ready in $prefix"
