#!/usr/bin/env bash
# Zero-downtime rollout benchmark: steady HTTPS load through Caddy while `paas apply` changes the
# version (on the docker target, then on a swarm target), then the same change with
# `docker-compose up -d` (behind the same Caddy, and direct).
# Usage: tests/benchmarks/rollout.sh [REQUESTS=10000] [RATE=250]    (as root; Docker must run)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
command -v docker-compose >/dev/null || { echo "installing docker-compose (Debian package)"; apt-get install -y -qq docker-compose >/dev/null; }
bash "$root/scripts/setup-engines.sh" >/dev/null
docker image inspect busybox:1.36 >/dev/null 2>&1 || { echo "busybox:1.36 is missing: run ./paas quickstart or ./test once"; exit 1; }
# The swarm row needs the engine in swarm mode: made a single-node swarm for the run, and left again after.
joined=""
if [ "$(docker info --format '{{.Swarm.LocalNodeState}}')" != active ]; then
  docker swarm init --advertise-addr 127.0.0.1 >/dev/null && joined=yes
fi
status=0
dotnet run -c Release --project "$root/tests/benchmarks/Gitops.Rollout" -- "${1:-10000}" "${2:-250}" || status=$?
[ -z "$joined" ] || docker swarm leave --force >/dev/null
exit $status
