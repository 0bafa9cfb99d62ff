#!/usr/bin/env bash
# Reading a service's logs and running a command in it, against the peer: `paas logs web --tail all -t`
# (both replicas' output merged by time) vs `docker-compose logs --no-color -t` of the same two
# replicas, and `paas exec web -- true` vs `docker-compose exec -T web true`. Both whole processes
# (CLI start-up included), paired run by run by farm-bench.
# Usage: tests/benchmarks/logs-exec.sh [RUNS=10]    (as root; Docker must run)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
runs="${1:-10}"
command -v docker-compose >/dev/null || { echo "installing docker-compose (Debian package)"; apt-get install -y -qq docker-compose >/dev/null; }
command -v farm-bench >/dev/null || { echo "needs farm-bench (the tool library's timer)"; exit 1; }
bash "$root/scripts/setup-engines.sh" >/dev/null
docker image inspect busybox:1.36 >/dev/null 2>&1 || { echo "busybox:1.36 is missing: run ./test once (it builds the local base image)"; exit 1; }
"$root/paas" --help >/dev/null # build the CLI before timing anything

work="$(mktemp -d)"
trap '"$root/paas" destroy "$work/app" --env dev --yes --data-dir "$work/data" >/dev/null 2>&1 || true; docker-compose -p benchlogs -f "$work/compose/docker-compose.yml" down -t 1 >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
mkdir -p "$work/app" "$work/compose"
# Each replica writes 2000 numbered lines at once, then one every second.
talk='i=0; while [ $i -lt 2000 ]; do i=$((i+1)); echo "line $i from $(hostname)"; done; while true; do sleep 1; echo tick; done'
cat >"$work/app/paas.yaml" <<YAML
version: 1
project: benchlogs
environments:
  dev: { branch: main }
services:
  web:
    image: busybox:1.36
    replicas: 2
    command: ["sh", "-c", '$talk']
YAML
# Compose reads \$ as its own variables: written \$\$ there.
cat >"$work/compose/docker-compose.yml" <<YAML
version: "3.7"
services:
  web:
    image: busybox:1.36
    command: ["sh", "-c", '${talk//\$/\$\$}']
YAML
"$root/paas" apply "$work/app" --env dev --yes --data-dir "$work/data" >/dev/null
docker-compose -p benchlogs -f "$work/compose/docker-compose.yml" up -d --scale web=2 >/dev/null 2>&1
sleep 3
echo "== logs: every line of both replicas"
farm-bench -n "$runs" --timeout 600 \
  --vs "docker-compose -p benchlogs -f $work/compose/docker-compose.yml logs --no-color -t web" \
  -- "$root/paas" logs web --env dev --dir "$work/app" --data-dir "$work/data" --tail all -t
echo "== exec: true in a replica"
farm-bench -n "$runs" --timeout 600 \
  --vs "docker-compose -p benchlogs -f $work/compose/docker-compose.yml exec -T web true" \
  -- "$root/paas" exec web --env dev --dir "$work/app" --data-dir "$work/data" -- true
# The same lines came out of both: 2000 of each replica, at least.
echo "paas logs lines: $("$root/paas" logs web --env dev --dir "$work/app" --data-dir "$work/data" --tail all | grep -c ' | line ')"
echo "compose logs lines: $(docker-compose -p benchlogs -f "$work/compose/docker-compose.yml" logs --no-color web | grep -c ' line ')"
