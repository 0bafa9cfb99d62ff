#!/usr/bin/env bash
# Times the README's first command from a fresh clone until the sample answers over HTTPS (the CLI
# and dashboard built on first use, the sample's image built, two environments deployed from Git),
# then a second start of the same quick start (everything built, nothing to deploy), against
# docker-compose building and starting the same sample until it answers, in one run on this machine.
# Usage: tests/benchmarks/quickstart-fresh.sh [ROUNDS=2]    (as root; Docker must run)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
rounds="${1:-2}"
command -v docker-compose >/dev/null || { echo "installing docker-compose (Debian package)"; apt-get install -y -qq docker-compose >/dev/null; }
bash "$root/scripts/setup-engines.sh" >/dev/null
docker image inspect busybox:1.36 >/dev/null 2>&1 || { echo "busybox:1.36 is missing: run ./paas quickstart once (it makes the local base image)"; exit 1; }

work="$(mktemp -d)"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
stop_caddy() { for pid in "$1/caddy/caddy.pid" "$1/caddy/edge/caddy.pid"; do [ -f "$pid" ] && kill "$(cat "$pid")" 2>/dev/null || true; done; }
remove_project() {
  docker ps -aq --filter "label=paas.project=$1" | xargs -r docker rm -f >/dev/null
  docker network ls -q --filter "label=paas.project=$1" | xargs -r docker network rm >/dev/null
  docker images --format '{{.Repository}}:{{.Tag}}' | grep "^localhost/paas-$1-" | xargs -r docker rmi >/dev/null || true
}
cleanup() {
  for d in "$work"/qs-*; do [ -d "$d" ] && stop_caddy "$d"; done
  for r in $(seq 1 "$rounds"); do remove_project "qfresh$r"; done
  docker-compose -p benchqs -f "$work/compose/docker-compose.yml" down -t 1 --rmi local >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$work/compose"
cp -r "$root/samples/hello" "$work/compose/web"
peer_port=$(free_port)
printf 'version: "3.7"\nservices:\n  web:\n    build: ./web\n    ports: ["127.0.0.1:%s:8080"]\n    healthcheck: { test: ["CMD", "wget", "-q", "-O-", "http://localhost:8080/healthz"], interval: 1s }\n' "$peer_port" >"$work/compose/docker-compose.yml"

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

for round in $(seq 1 "$rounds"); do
  clone="$work/clone-$round" data="$work/qs-$round"
  git clone -q "$root" "$clone"
  args=(quickstart --exit-when-ready --data-dir "$data" --project "qfresh$round" --listen "http://127.0.0.1:$(free_port)"
        --https-port "$(free_port)" --http-port "$(free_port)" --ingress-admin-port "$(free_port)" --ingress-router-port "$(free_port)")
  t0=$(now); "$clone/paas" "${args[@]}" >"$work/first-$round.log" 2>&1; t1=$(now)
  "$clone/paas" "${args[@]}" >"$work/second-$round.log" 2>&1; t2=$(now)
  grep -q "Ready in" "$work/first-$round.log" || { cat "$work/first-$round.log"; exit 1; }
  ready=$(grep -o 'Ready in [0-9.]* s' "$work/first-$round.log" | grep -o '[0-9.]*')

  t3=$(now)
  docker-compose -p benchqs -f "$work/compose/docker-compose.yml" build -q >/dev/null 2>&1
  docker-compose -p benchqs -f "$work/compose/docker-compose.yml" up -d >/dev/null 2>&1
  until wget -q -O- "http://127.0.0.1:$peer_port/" >/dev/null 2>&1; do sleep 0.1; done
  t4=$(now)
  docker-compose -p benchqs -f "$work/compose/docker-compose.yml" down -t 1 --rmi local >/dev/null 2>&1

  echo "round $round: fresh clone → both environments answer over HTTPS $(elapsed "$t0" "$t1") s (of which the quick start itself ${ready} s after the CLI was built); a second start $(elapsed "$t1" "$t2") s; docker-compose build + up until it answers $(elapsed "$t3" "$t4") s"
  stop_caddy "$data"
  remove_project "qfresh$round"
done
