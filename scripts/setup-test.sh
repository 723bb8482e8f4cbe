#!/usr/bin/env bash
# Provisions what the process-level test suites need beyond the build: each suite's own
# provisioning script (real Apache Kafka jars for e2e, the helm CLI for helm, toxiproxy for the
# network suites). Cached.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
for p in "$here"/tests/e2e/provision "$here"/tests/helm/provision "$here"/tests/net/provision; do
  if [[ -x "$p" ]]; then "$p"; fi
done
