#!/usr/bin/env bash
# bench/credentials.sh — cached credential requests: the proxy vs nginx serving the same bytes.
#
# Starts the proxy in --local mode through bin/berth-proxy (so the production JVM flags are what is
# measured), fetches the credential document once, has nginx (one worker, no access log,
# keep-alive) serve exactly those bytes at the same path, warms both up, then runs wrk against each,
# alternating, ROUNDS times. Prints requests/s, p50 and p99 for both, the ratios, and the proxy's
# RSS. The proxy's request path is the full one a container takes: path normalisation, index
# lookup, role policy, credential-cache hit, JSON rendering, Micrometer counters.
#
#   bench/credentials.sh                       # DURATION=15 ROUNDS=2 WARMUP=20 CONNECTIONS=64
#   DURATION=30 ROUNDS=3 bench/credentials.sh
#   BERTH_JAVA_OPTS="-Xlog:gc" KEEP=1 bench/credentials.sh   # keep logs and wrk output
#   BERTH_JVM_TUNED=0 bench/credentials.sh     # the JVM's default flags, for comparison
#
# Loopback only; every run is bounded by wrk -d; everything started is stopped on exit.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ROLE=berth-local
CRED_PATH=/latest/meta-data/iam/security-credentials/$ROLE

free_port; PORT=$FREE_PORT
free_port; ADMIN_PORT=$FREE_PORT
free_port; NGINX_PORT=$FREE_PORT

log "proxy on 127.0.0.1:$PORT (admin $ADMIN_PORT), nginx on 127.0.0.1:$NGINX_PORT, files in $BENCH_DIR"
start_proxy --local --listen "127.0.0.1:$PORT" --admin-listen "127.0.0.1:$ADMIN_PORT"
wait_http "http://127.0.0.1:$ADMIN_PORT/healthz" 120 || { alive "$PROXY_PID" proxy; exit 1; }
alive "$PROXY_PID" proxy

mkdir -p "$BENCH_DIR/www$(dirname "$CRED_PATH")"
curl -sf -o "$BENCH_DIR/www$CRED_PATH" "http://127.0.0.1:$PORT$CRED_PATH" \
  || { log "the proxy did not serve $CRED_PATH"; exit 1; }
chmod -R a+rX "$BENCH_DIR/www"
grep -q '"Code" : "Success"' "$BENCH_DIR/www$CRED_PATH" || { log "unexpected document:"; cat "$BENCH_DIR/www$CRED_PATH" >&2; exit 1; }
sleep 1
PROXY_IDLE_RSS=$(rss "$PROXY_PID" | cut -d' ' -f1)

start_nginx "$NGINX_PORT"
wait_http "http://127.0.0.1:$NGINX_PORT$CRED_PATH" 10 || { tail "$BENCH_DIR/nginx.log" >&2; exit 1; }
cmp -s "$BENCH_DIR/www$CRED_PATH" <(curl -sf "http://127.0.0.1:$NGINX_PORT$CRED_PATH") \
  || { log "nginx does not serve the same bytes"; exit 1; }
log "document: $(wc -c <"$BENCH_DIR/www$CRED_PATH") bytes, identical from both"

echo "cached credential requests: GET $CRED_PATH"
compare nginx "http://127.0.0.1:$NGINX_PORT$CRED_PATH" "$NGINX_PID" \
  proxy "http://127.0.0.1:$PORT$CRED_PATH" "$PROXY_PID"
