#!/usr/bin/env bash
# Autoscaling benchmark: CPU-bound requests through Caddy against a service the platform autoscales
# (1..4 replicas on 60 % CPU), then against the same container at one replica under docker-compose.
# Reports answered and failed requests, p50/p99, when the autoscaler scaled up and how long after the
# load it was back at one replica.
# Usage: tests/benchmarks/autoscale.sh [RATE=40] [SECONDS=60]    (as root; Docker must run)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
command -v docker-compose >/dev/null || { echo "installing docker-compose (Debian package)"; apt-get install -y -qq docker-compose >/dev/null; }
bash "$root/scripts/setup-engines.sh" >/dev/null
docker image inspect busybox:1.36 >/dev/null 2>&1 || { echo "busybox:1.36 is missing: run ./paas quickstart or ./test once"; exit 1; }
exec dotnet run -c Release --project "$root/tests/benchmarks/Gitops.Autoscale" -- "${1:-40}" "${2:-60}"
