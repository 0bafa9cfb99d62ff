#!/usr/bin/env bash
# Keep-alive clients at saturation while a route changes every second: the platform's ingress
# layout (an edge Caddy that never changes, in front of a router Caddy that gets the route changes)
# against one Caddy that gets them itself (the layout before 2026-12-01). Both on this machine's
# Caddy, two busybox httpd upstreams, wrk (2 threads, 32 connections, 10 s timeout; it never
# retries a request whose connection broke). Plain HTTP on both, so TLS costs nothing to either.
# Usage: tests/benchmarks/route-changes.sh [SECONDS] [CHANGES]
set -euo pipefail
seconds=${1:-20}; changes=${2:-15}
for tool in caddy busybox wrk curl; do command -v "$tool" >/dev/null || { echo "needs $tool (scripts/setup-engines.sh installs it)"; exit 1; }; done
work=$(mktemp -d); trap 'curl -s -X POST http://127.0.0.1:28919/stop >/dev/null || true; curl -s -X POST http://127.0.0.1:28918/stop >/dev/null || true; pkill -f "busybox httpd -f -p 127.0.0.1:2891" || true; rm -rf "$work"' EXIT
mkdir -p "$work/www"; echo hello > "$work/www/index.html"
busybox httpd -f -p 127.0.0.1:28911 -h "$work/www" & busybox httpd -f -p 127.0.0.1:28912 -h "$work/www" &

route='{"@id":"r","match":[{"host":["a.test"]}],"handle":[{"handler":"reverse_proxy","upstreams":[{"dial":"127.0.0.1:28911"},{"dial":"127.0.0.1:28912"}],"load_balancing":{"try_duration":"5s","try_interval":"100ms"},"transport":{"protocol":"http","keep_alive":{"enabled":false}}}],"terminal":true}'
caddy_with() { # ADMIN LISTEN ROUTES-JSON [ACCESS-LOG]
  local logging="" logs=""
  if [ -n "${4:-}" ]; then # the router's access log as the platform writes it (for the autoscaler): filtered JSON to a file
    logging='"logging":{"logs":{"default":{"exclude":["http.log.access"]},"a":{"include":["http.log.access"],"writer":{"output":"file","filename":"'"$4"'","roll_size_mb":10,"roll_keep":1},"encoder":{"format":"filter","wrap":{"format":"json"},"fields":{"request>headers":{"filter":"delete"},"request>uri":{"filter":"delete"},"request>remote_ip":{"filter":"delete"},"request>remote_port":{"filter":"delete"},"resp_headers":{"filter":"delete"}}}}}},'
    logs='"logs":{},'
  fi
  printf '{%s"admin":{"listen":"127.0.0.1:%s"},"apps":{"http":{"servers":{"s":{"listen":["127.0.0.1:%s"],%s"automatic_https":{"disable":true},"routes":[%s]}}}}}' "$logging" "$1" "$2" "$logs" "$3" > "$work/$1.json"
  caddy run --config "$work/$1.json" > "$work/$1.log" 2>&1 &
  for _ in $(seq 1 50); do curl -fs "http://127.0.0.1:$1/config/" >/dev/null && return; sleep 0.1; done; echo "caddy on $1 did not start"; exit 1
}
flip() { # the router's admin port: the route's upstreams change every second
  for i in $(seq 1 "$changes"); do
    if [ $((i % 2)) = 0 ]; then up='[{"dial":"127.0.0.1:28911"},{"dial":"127.0.0.1:28912"}]'; else up='[{"dial":"127.0.0.1:28912"}]'; fi
    curl -fs -X PATCH -H 'Content-Type: application/json' -d "$up" "http://127.0.0.1:28919/id/r/handle/0/upstreams" >/dev/null; sleep 1
  done
}
measure() { # LABEL PORT
  (sleep 1; flip) & local flipper=$!
  local out; out=$(wrk -t2 -c32 -d"${seconds}s" --timeout 10s -H 'Host: a.test' "http://127.0.0.1:$2/index.html")
  wait "$flipper"
  local total errors rate
  total=$(grep -oE '[0-9]+ requests in' <<<"$out" | cut -d' ' -f1)
  errors=$(grep -oE 'Socket errors: connect [0-9]+, read [0-9]+, write [0-9]+, timeout [0-9]+' <<<"$out" | grep -oE '[0-9]+' | paste -sd+ | bc 2>/dev/null || true)
  errors=$(( ${errors:-0} + $(grep -oE 'Non-2xx or 3xx responses: [0-9]+' <<<"$out" | grep -oE '[0-9]+$' || echo 0) ))
  rate=$(grep -oE 'Requests/sec: +[0-9.]+' <<<"$out" | grep -oE '[0-9.]+$')
  printf '| %s | %s | %s | %s |\n' "$1" "$total" "$errors" "$rate"
}
echo "| layout ($changes route changes in ${seconds} s) | requests | failed | requests/s |"
echo "| --- | --- | --- | --- |"
caddy_with 28919 28901 "$route"                       # one Caddy: clients meet the one that changes
measure "one Caddy (clients on the Caddy that changes)" 28901
curl -s -X POST http://127.0.0.1:28919/stop >/dev/null; sleep 0.5
caddy_with 28919 28901 "$route"                       # the router, behind the edge
caddy_with 28918 28900 '{"handle":[{"handler":"reverse_proxy","upstreams":[{"dial":"127.0.0.1:28901"}],"load_balancing":{"try_duration":"5s","try_interval":"50ms"},"transport":{"protocol":"http","keep_alive":{"enabled":false}}}]}'
measure "edge + router (before the access log)" 28900
curl -s -X POST http://127.0.0.1:28918/stop >/dev/null; curl -s -X POST http://127.0.0.1:28919/stop >/dev/null; sleep 0.5
caddy_with 28919 28901 "$route" "$work/access.log"    # the router as the platform runs it since 2026-12-02
caddy_with 28918 28900 '{"handle":[{"handler":"reverse_proxy","upstreams":[{"dial":"127.0.0.1:28901"}],"load_balancing":{"try_duration":"5s","try_interval":"50ms"},"transport":{"protocol":"http","keep_alive":{"enabled":false}}}]}'
measure "edge + router writing its access log (the platform's ingress)" 28900
curl -s -X POST http://127.0.0.1:28918/stop >/dev/null; sleep 0.5
# The road not taken: the edge keeping its connections to the router alive is faster, but a pooled
# connection the restarting router closes fails a request with a body (GETs are retried by Go).
caddy_with 28918 28900 '{"handle":[{"handler":"reverse_proxy","upstreams":[{"dial":"127.0.0.1:28901"}],"load_balancing":{"try_duration":"5s","try_interval":"50ms"}}]}'
measure "edge + router, edge keeps router connections alive (not used)" 28900
