# mirror's container image.
#
#   docker build -t mirror:0.1.0 .
#
# Both stages use Debian trixie: its librdkafka (2.8.0) is new enough (the service needs
# >= 2.6.1, see scripts/setup.sh), so setup.sh links the system library and the
# runtime stage needs only Debian's runtime packages. Building and running on the same release
# keeps the binary's library versions (yaml-cpp 0.8, Boost 1.83, libcurl t64) the ones installed.
#
# tests/helm/image-check proves this file without a Docker engine: it reads DEBIAN_RELEASE,
# BUILD_PACKAGES and RUNTIME_PACKAGES from the ARG lines below (keep each on one line), builds
# the binary in a debootstrapped build root the way the build stage does, installs exactly
# RUNTIME_PACKAGES in a fresh root, and runs the binary there as uid 65532.

ARG DEBIAN_RELEASE=trixie

# --- build ---------------------------------------------------------------------------------------
FROM debian:${DEBIAN_RELEASE} AS build
# Besides what scripts/setup.sh installs: make, and librdkafka's headers so that setup.sh finds
# the system librdkafka 2.8.0 instead of building one.
ARG BUILD_PACKAGES="make librdkafka-dev"
ENV DEBIAN_FRONTEND=noninteractive
WORKDIR /src
# The toolchain and libraries first, in a layer that changes only with setup.sh.
COPY scripts/setup.sh scripts/setup.sh
RUN apt-get update \
 && apt-get install -y --no-install-recommends ${BUILD_PACKAGES} \
 && scripts/setup.sh \
 && rm -rf /var/lib/apt/lists/*
COPY . .
RUN make build TESTS=OFF \
 && install -D -m 0755 build/bin/mirror /out/usr/local/bin/mirror \
 && build/bin/mirror --version

# --- runtime -------------------------------------------------------------------------------------
FROM debian:${DEBIAN_RELEASE}-slim AS runtime
# Exactly the shared libraries the binary links (librdkafka, yaml-cpp, Boost.Program_options,
# prometheus-cpp core, libcurl) and CA certificates for TLS to Kafka and cloud metadata.
ARG RUNTIME_PACKAGES="librdkafka1 libyaml-cpp0.8 libboost-program-options1.83.0 libprometheus-cpp-core1.0 libcurl4t64 ca-certificates"
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${RUNTIME_PACKAGES} \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 65532 mirror \
 && useradd --system --uid 65532 --gid 65532 --home-dir /nonexistent --no-create-home \
      --shell /usr/sbin/nologin mirror
COPY --from=build /out/ /
USER 65532:65532
EXPOSE 9464
ENTRYPOINT ["/usr/local/bin/mirror"]
CMD ["run", "--config", "/etc/mirror/mirror.yaml"]
