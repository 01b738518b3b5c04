#!/usr/bin/env bash
# bench/passthrough.sh — pass-through requests: the proxy in front of an upstream vs the upstream alone,
# and vs nginx's own reverse proxy in front of the same upstream.
#
# nginx (one worker, no access log, keep-alive) plays the real metadata service and serves a static
# /latest/meta-data/instance-id. The proxy runs in its normal (not --local) mode, started through
# bin/berth-proxy, with --upstream pointing at that nginx and a Docker socket that does not exist
# (the container index logs reconnect warnings; pass-through does not need it). nginx answers the
# proxy's PUT /latest/api/token with 405, which the proxy treats as "IMDSv1 only", as SDKs do.
# A second nginx (one worker, like the first) is a reverse proxy to the same upstream over keep-alive
# connections (upstream { keepalive 32; }, proxy_http_version 1.1, Connection ""): the reference for
# a forwarding proxy on the same cores (issue 11). wrk then runs against nginx directly
# ("nginx"), against nginx's proxy ("nginx-proxy") and against Berth ("proxy"), alternating, ROUNDS
# times. Issue 11's targets, with UPSTREAM_CACHE=0: proxy/nginx-proxy throughput >= 1.0 and p99
# <= 1.5 x nginx-proxy's.
#
# The proxy keeps upstream answers for --upstream-cache (default 1s) and merges identical requests in
# flight, so under this load it forwards about one request per second: that measures what
# containers see with the default settings. UPSTREAM_CACHE=0 makes it forward every request, which
# measures the forwarding path itself.
#
#   bench/passthrough.sh                       # DURATION=15 ROUNDS=2 WARMUP=20 CONNECTIONS=64
#   UPSTREAM_CACHE=0 bench/passthrough.sh      # every request forwarded to nginx
#   DURATION=30 ROUNDS=3 bench/passthrough.sh
#   BERTH_JAVA_OPTS="-Xlog:gc" KEEP=1 bench/passthrough.sh   # keep logs and wrk output
#
# Loopback only (the upstream is 127.0.0.1, never the real metadata address); every run is
# bounded by wrk -d; everything started is stopped on exit.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DATA_PATH=$METADATA_PATH
UPSTREAM_CACHE=${UPSTREAM_CACHE:-1s}
# wrk's connections all come from 127.0.0.1, i.e. one caller, standing in for many containers; the
# per-caller limit on forwarded requests in flight (default 32) would answer 429 to the rest, which
# costs less than forwarding and would flatter the proxy. So the limit is at least the connections.
FORWARDED_PER_CALLER=${FORWARDED_PER_CALLER:-$(( CONNECTIONS > 32 ? CONNECTIONS : 32 ))}

free_port; PORT=$FREE_PORT
free_port; ADMIN_PORT=$FREE_PORT
free_port; NGINX_PORT=$FREE_PORT
free_port; NGINX_PROXY_PORT=$FREE_PORT

start_metadata_nginx "$NGINX_PORT"
start_nginx_proxy "$NGINX_PROXY_PORT" "$NGINX_PORT"
[[ $(curl -sf "http://127.0.0.1:$NGINX_PROXY_PORT$DATA_PATH") == "$INSTANCE_ID" ]] \
  || { log "nginx's reverse proxy did not pass $DATA_PATH through"; exit 1; }

log "proxy on 127.0.0.1:$PORT (admin $ADMIN_PORT), upstream nginx on 127.0.0.1:$NGINX_PORT, files in $BENCH_DIR"
start_proxy --listen "127.0.0.1:$PORT" --admin-listen "127.0.0.1:$ADMIN_PORT" \
  --upstream "http://127.0.0.1:$NGINX_PORT" --upstream-cache "$UPSTREAM_CACHE" \
  --max-forwarded-per-caller "$FORWARDED_PER_CALLER" \
  --docker-host "unix://$BENCH_DIR/no-docker/docker.sock" \
  --region us-east-1
wait_http "http://127.0.0.1:$ADMIN_PORT/healthz" 120 || { alive "$PROXY_PID" proxy; exit 1; }
alive "$PROXY_PID" proxy

answer=$(curl -sf "http://127.0.0.1:$PORT$DATA_PATH") || { log "the proxy did not pass $DATA_PATH through"; exit 1; }
[[ $answer == "$INSTANCE_ID" ]] || { log "the proxy answered '$answer', expected '$INSTANCE_ID'"; exit 1; }
sleep 1
PROXY_IDLE_RSS=$(rss "$PROXY_PID" | cut -d' ' -f1)

echo "pass-through requests: GET $DATA_PATH (proxy -> nginx, --upstream-cache $UPSTREAM_CACHE) vs nginx alone" \
  "and nginx-proxy (nginx proxy_pass -> the same nginx, keep-alive upstream)"
compare_many nginx "http://127.0.0.1:$NGINX_PORT$DATA_PATH" "$NGINX_PID" \
  nginx-proxy "http://127.0.0.1:$NGINX_PROXY_PORT$DATA_PATH" "$NGINX_PROXY_PID" \
  proxy "http://127.0.0.1:$PORT$DATA_PATH" "$PROXY_PID"
echo "(the proxies' CPU per request excludes the upstream nginx's, which serves every proxied request too)"
