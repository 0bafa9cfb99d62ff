#!/usr/bin/env bash
# Times `paas apply` of N services from nothing and a no-op re-apply against `docker-compose up -d`
# with an equivalent compose file, in one run on this machine, and prints the ratios.
# Usage: tests/benchmarks/apply-vs-compose.sh [SERVICES=20] [ROUNDS=3]    (as root; Docker must run)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
services="${1:-20}"
rounds="${2:-3}"
command -v docker-compose >/dev/null || { echo "installing docker-compose (Debian package)"; apt-get install -y -qq docker-compose >/dev/null; }
command -v jq >/dev/null || apt-get install -y -qq jq >/dev/null
bash "$root/scripts/setup-engines.sh" >/dev/null
docker image inspect busybox:1.36 >/dev/null 2>&1 || { echo "busybox:1.36 is missing: run ./test once (it builds the local base image)"; exit 1; }
"$root/paas" --help >/dev/null # build the CLI before timing anything

work="$(mktemp -d)"
trap 'docker-compose -p benchcompose -f "$work/compose/docker-compose.yml" down -t 1 >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
mkdir -p "$work/app" "$work/compose"
{
  printf 'version: 1\nproject: benchpaas\nenvironments:\n  dev: { branch: main }\nservices:\n'
  for i in $(seq 1 "$services"); do
    printf '  s%s:\n    image: busybox:1.36\n    command: ["httpd", "-f", "-p", "8080", "-h", "/etc"]\n    port: 8080\n    health: { path: /hostname, interval: 1s }\n    deploy: { drain: 1s }\n' "$i"
  done
} >"$work/app/paas.yaml"
{
  printf 'version: "3.7"\nservices:\n'
  for i in $(seq 1 "$services"); do
    printf '  s%s:\n    image: busybox:1.36\n    command: ["httpd", "-f", "-p", "8080", "-h", "/etc"]\n    init: true\n    security_opt: ["no-new-privileges"]\n    cap_drop: [ALL]\n    pids_limit: 512\n' "$i"
  done
} >"$work/compose/docker-compose.yml"

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
best() { tr ' ' '\n' | sort -n | head -1; }

paas_create=() paas_noop=() compose_create=() compose_noop=()
for round in $(seq 1 "$rounds"); do
  data="$work/data-$round"
  t0=$(now); "$root/paas" apply "$work/app" --env dev --yes --data-dir "$data" >/dev/null; t1=$(now)
  "$root/paas" apply "$work/app" --env dev --yes --data-dir "$data" >/dev/null; t2=$(now)
  paas_create+=("$(elapsed "$t0" "$t1")"); paas_noop+=("$(elapsed "$t1" "$t2")")
  if [ "$round" = 1 ] || [ -n "${TIMELINE:-}" ]; then
    # Where the seconds of the create went: each step's start and length (ms after the apply began),
    # and for each replica how long the engine took to start it and how long until it was ready.
    echo "timeline of round $round (paas apply from nothing): start ms, length ms, step, detail"
    "$root/paas" history "$work/app" --env dev --output json --data-dir "$data" \
      | jq -r 'map(select(.trigger == "cli")) | last | .steps | sort_by(.startedMs)[] | "\(.startedMs)\t\(.durationMs)\t\(.description)\t\(.result)"' \
      | awk -F'\t' '{ printf "  %6d %6d  %s: %s\n", $1, $2, $3, $4 }'
  fi
  "$root/paas" destroy "$work/app" --env dev --yes --data-dir "$data" >/dev/null

  t0=$(now); docker-compose -p benchcompose -f "$work/compose/docker-compose.yml" up -d >/dev/null 2>&1; t1=$(now)
  docker-compose -p benchcompose -f "$work/compose/docker-compose.yml" up -d >/dev/null 2>&1; t2=$(now)
  compose_create+=("$(elapsed "$t0" "$t1")"); compose_noop+=("$(elapsed "$t1" "$t2")")
  docker-compose -p benchcompose -f "$work/compose/docker-compose.yml" down -t 1 >/dev/null 2>&1
  echo "round $round: paas ${paas_create[-1]}s + no-op ${paas_noop[-1]}s; docker-compose ${compose_create[-1]}s + no-op ${compose_noop[-1]}s"
done

pc=$(echo "${paas_create[*]}" | best); pn=$(echo "${paas_noop[*]}" | best)
cc=$(echo "${compose_create[*]}" | best); cn=$(echo "${compose_noop[*]}" | best)
echo
echo "$services services, best of $rounds rounds (paas waits for each replica's HTTP health check; compose does not wait)"
printf '| step | paas apply | docker-compose up -d | ratio |\n| --- | --- | --- | --- |\n'
awk -v p="$pc" -v c="$cc" 'BEGIN { printf "| from nothing | %.2f s | %.2f s | %.2f× |\n", p, c, p / c }'
awk -v p="$pn" -v c="$cn" 'BEGIN { printf "| no-op re-apply | %.2f s | %.2f s | %.2f× |\n", p, c, p / c }'
