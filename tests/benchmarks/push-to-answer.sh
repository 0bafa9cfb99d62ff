#!/usr/bin/env bash
# Times `git push` → the new version answering, through a signed webhook to `paas server` (polling
# off), and splits it into the container's own start (the deployment's start step, health check
# included) and the platform's overhead (webhook, fetch, manifest, plan, journal). In the same run,
# the peer: `docker-compose up -d` of the same change until the new version answers.
# Usage: tests/benchmarks/push-to-answer.sh [ROUNDS=5]    (as root; Docker must run)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
rounds="${1:-5}"
command -v docker-compose >/dev/null || { echo "installing docker-compose (Debian package)"; apt-get install -y -qq docker-compose >/dev/null; }
command -v jq >/dev/null || apt-get install -y -qq jq >/dev/null
bash "$root/scripts/setup-engines.sh" >/dev/null
docker image inspect busybox:1.36 >/dev/null 2>&1 || { echo "busybox:1.36 is missing: run ./paas quickstart or ./test once"; exit 1; }
"$root/paas" --help >/dev/null # build the CLI before timing anything

work="$(mktemp -d)" port=18797 secret="bench-webhook-secret-0123456789" server=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
  docker rm -f $(docker ps -aq --filter label=paas.project=benchpush) >/dev/null 2>&1 || true
  docker network rm paas-benchpush-dev >/dev/null 2>&1 || true
  docker-compose -p benchpushcompose -f "$work/compose/docker-compose.yml" down -t 1 >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/data" "$work/compose"
printf 'allowFileUrls: true\ntargets:\n  local: { kind: docker }\n' >"$work/data/platform.yaml"

# The app: busybox httpd serving its VERSION; a new version is a change of that env var.
app() {
  printf 'version: 1\nproject: benchpush\nenvironments:\n  dev: { branch: main }\nservices:\n  web:\n    image: busybox:1.36\n'
  printf '    command: ["sh", "-c", "mkdir -p /tmp/w && echo $VERSION > /tmp/w/index.html && exec httpd -f -p 8080 -h /tmp/w"]\n'
  printf '    port: 8080\n    env: { VERSION: "%s" }\n    health: { path: /index.html, interval: 1s }\n    deploy: { drain: 1s }\n' "$1"
}
compose() {
  printf 'version: "3.7"\nservices:\n  web:\n    image: busybox:1.36\n'
  printf '    command: ["sh", "-c", "mkdir -p /tmp/w && echo $$VERSION > /tmp/w/index.html && exec httpd -f -p 8080 -h /tmp/w"]\n'
  printf '    environment: { VERSION: "%s" }\n    init: true\n    security_opt: ["no-new-privileges"]\n    cap_drop: [ALL]\n' "$1"
}
git init -q --bare "$work/app.git"
git init -q -b main "$work/app"
git -C "$work/app" remote add origin "$work/app.git"
commit_push() {
  app "$1" >"$work/app/paas.yaml"
  git -C "$work/app" add -A
  git -C "$work/app" -c user.email=b@example.com -c user.name=bench commit -q -m "$1"
  git -C "$work/app" push -q origin main
}
webhook() {
  local body="{\"ref\":\"refs/heads/main\",\"n\":\"$1\"}" sig
  sig=$(printf '%s' "$body" | openssl dgst -sha256 -hmac "$secret" | sed 's/^.* //')
  curl -s -o /dev/null -X POST -H "X-Hub-Signature-256: sha256=$sig" -H "X-GitHub-Delivery: bench-$1" --data-binary "$body" "http://127.0.0.1:$port/hooks/benchpush"
}
# Waits until some container of the compose/paas project answers with the version.
answers() {
  local filter="$1" version="$2" ip
  while true; do
    for id in $(docker ps -q --filter "$filter"); do
      ip=$(docker inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}' "$id" | awk '{print $1}')
      [ -n "$ip" ] && [ "$(curl -s -m 1 "http://$ip:8080/index.html" 2>/dev/null)" = "$version" ] && return 0
    done
    sleep 0.02
  done
}
now() { date +%s.%N; }
median() { tr ' ' '\n' | sed '/^$/d' | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

commit_push v0
"$root/paas" repo add "file://$work/app.git" --project benchpush --data-dir "$work/data" >/dev/null
printf '%s' "$secret" | "$root/paas" repo webhook benchpush --data-dir "$work/data" >/dev/null
"$root/paas" server --data-dir "$work/data" --listen "http://127.0.0.1:$port" --poll 3600 >"$work/server.log" 2>&1 &
server=$!
answers label=paas.project=benchpush v0 # the start-up poll deploys v0
token=$(sed -n 's/^admin token (shown once; keep it): //p' "$work/server.log")

totals=() starts=() overheads=()
for round in $(seq 1 "$rounds"); do
  t0=$(now); commit_push "v$round"; webhook "$round"
  answers label=paas.project=benchpush "v$round"; t1=$(now)
  sleep 2 # let the deployment finish (the old replica's removal) before reading it
  start_ms=$(curl -s -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/deployments?project=benchpush&environment=dev&limit=1" \
    | jq '[.[0].steps[] | select(.description | startswith("start ")) | .durationMs] | add')
  total=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
  start=$(awk -v m="$start_ms" 'BEGIN { printf "%.3f", m / 1000 }')
  totals+=("$total"); starts+=("$start"); overheads+=("$(awk -v t="$total" -v s="$start" 'BEGIN { printf "%.3f", t - s }')")
  echo "round $round: push → answer ${total}s, of which container start + health ${start}s, overhead ${overheads[-1]}s"
done

compose_totals=()
compose 0 >"$work/compose/docker-compose.yml"
docker-compose -p benchpushcompose -f "$work/compose/docker-compose.yml" up -d >/dev/null 2>&1
answers label=com.docker.compose.project=benchpushcompose 0
for round in $(seq 1 "$rounds"); do
  compose "$round" >"$work/compose/docker-compose.yml"
  t0=$(now); docker-compose -p benchpushcompose -f "$work/compose/docker-compose.yml" up -d >/dev/null 2>&1
  answers label=com.docker.compose.project=benchpushcompose "$round"; t1=$(now)
  compose_totals+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')")
  echo "round $round: docker-compose up -d → answer ${compose_totals[-1]}s"
done

echo
echo "median of $rounds rounds"
printf '| measure | paas (git push + webhook) | docker-compose up -d (run by hand) |\n| --- | --- | --- |\n'
printf '| change → new version answers | %s s | %s s |\n' "$(echo "${totals[*]}" | median)" "$(echo "${compose_totals[*]}" | median)"
printf '| of which container start and health check | %s s | (not separable) |\n' "$(echo "${starts[*]}" | median)"
printf '| platform overhead (target < 2 s) | %s s | |\n' "$(echo "${overheads[*]}" | median)"
