# bench/lib.sh — shared parts of the wrk benchmarks (sourced, not run).
#
# Everything here stays on 127.0.0.1. Every process gets AWS_EC2_METADATA_DISABLED=true, every load
# run is bounded by wrk -d, and everything a script starts is stopped by the EXIT trap.

BENCH_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$BENCH_ROOT/bench/probe.sh"
export AWS_EC2_METADATA_DISABLED=true

DURATION=${DURATION:-15}        # seconds per measured wrk run
ROUNDS=${ROUNDS:-2}             # measured runs per target, alternating nginx / proxy
WARMUP=${WARMUP:-20}            # seconds of unmeasured load on the proxy first (JIT), a quarter on nginx
THREADS=${THREADS:-1}           # wrk -t
CONNECTIONS=${CONNECTIONS:-64}  # wrk -c
BASE_PORT=${BASE_PORT:-18100}   # first port tried; the next free ones are used

for tool in wrk nginx curl; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is not installed" >&2; exit 2; }
done

BENCH_DIR=$(mktemp -d "${TMPDIR:-/tmp}/berth-bench.XXXXXX")
chmod 755 "$BENCH_DIR"          # nginx's worker may run as another user and must read the docroot
BENCH_PIDS=()

bench_cleanup() {
  local pid
  for pid in "${BENCH_PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${BENCH_PIDS[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  if [[ ${KEEP:-0} == 1 ]]; then
    echo "bench: kept $BENCH_DIR" >&2
  else
    rm -rf "$BENCH_DIR"
  fi
}
trap bench_cleanup EXIT
trap 'exit 130' INT TERM

log() { echo "bench: $*" >&2; }

# port_in_use PORT: true when something listens on 127.0.0.1:PORT (or on any address).
port_in_use() {
  if command -v ss >/dev/null; then
    [[ -n $(ss -Hltn "sport = :$1") ]]
  else
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
  fi
}

# free_port: the first free port at or after NEXT_PORT; advances NEXT_PORT past it.
NEXT_PORT=$BASE_PORT
free_port() {
  while port_in_use "$NEXT_PORT"; do
    NEXT_PORT=$((NEXT_PORT + 1))
  done
  FREE_PORT=$NEXT_PORT
  NEXT_PORT=$((NEXT_PORT + 1))
}

# wait_http URL [SECONDS]: until URL answers at all (any status), or fail.
wait_http() {
  local url=$1 deadline=$((SECONDS + ${2:-60}))
  until curl -s -o /dev/null --max-time 1 "$url"; do
    if ((SECONDS > deadline)); then
      log "no answer from $url"
      return 1
    fi
    sleep 0.2
  done
}

# alive PID NAME: fail with the process's log when it has exited.
alive() {
  if ! kill -0 "$1" 2>/dev/null; then
    log "$2 exited; its log:"
    tail -n 30 "$BENCH_DIR/$2.log" >&2 || true
    exit 1
  fi
}

# start_proxy ARGS...: bin/berth-proxy (same JVM flags as production) in the background; sets PROXY_PID.
start_proxy() {
  "$BENCH_ROOT/bin/berth-proxy" "$@" >"$BENCH_DIR/proxy.log" 2>&1 &
  PROXY_PID=$!
  BENCH_PIDS+=("$PROXY_PID")
}

# The metadata path the pass-through benchmarks ask for, and what the nginx playing the real service answers.
METADATA_PATH=/latest/meta-data/instance-id
INSTANCE_ID=i-0123456789abcdef0

# start_metadata_nginx PORT: nginx (start_nginx) serving INSTANCE_ID at METADATA_PATH, as the real
# metadata service would; returns once it answers. Sets NGINX_PID.
start_metadata_nginx() {
  mkdir -p "$BENCH_DIR/www$(dirname "$METADATA_PATH")"
  printf '%s' "$INSTANCE_ID" >"$BENCH_DIR/www$METADATA_PATH"
  chmod -R a+rX "$BENCH_DIR/www"
  start_nginx "$1"
  wait_http "http://127.0.0.1:$1$METADATA_PATH" 10 || { tail "$BENCH_DIR/nginx.log" >&2; exit 1; }
}

# run_nginx NAME SERVERS: an nginx process with one worker, no access log and keep-alive to its
# clients, its files in $BENCH_DIR/NAME and its errors in $BENCH_DIR/NAME.log; SERVERS is the rest of
# its http block (upstreams and servers). Sets NGINX_LAST_PID.
run_nginx() {
  local name=$1 servers=$2 dir=$BENCH_DIR/$1 user=""
  mkdir -p "$dir/tmp"
  # As root, nginx's worker runs as nobody (and its primary group, nogroup on Debian).
  [[ $(id -u) == 0 ]] && user="user nobody $(id -gn nobody 2>/dev/null || echo nogroup);"
  cat >"$dir/nginx.conf" <<CONF
$user
worker_processes 1;
daemon off;
pid $dir/nginx.pid;
error_log $BENCH_DIR/$name.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  keepalive_timeout 65;
  keepalive_requests 1000000;
  client_body_temp_path $dir/tmp/body;
  proxy_temp_path $dir/tmp/proxy;
  fastcgi_temp_path $dir/tmp/fastcgi;
  uwsgi_temp_path $dir/tmp/uwsgi;
  scgi_temp_path $dir/tmp/scgi;
$servers
}
CONF
  nginx -p "$dir" -e "$BENCH_DIR/$name.log" -c "$dir/nginx.conf" >>"$BENCH_DIR/$name.log" 2>&1 &
  NGINX_LAST_PID=$!
  BENCH_PIDS+=("$NGINX_LAST_PID")
}

# start_nginx PORT: nginx serving $BENCH_DIR/www; sets NGINX_PID.
start_nginx() {
  run_nginx nginx "  server {
    listen 127.0.0.1:$1;
    root $BENCH_DIR/www;
    default_type text/plain;
  }"
  NGINX_PID=$NGINX_LAST_PID
}

# start_nginx_proxy PORT UPSTREAM_PORT: a second nginx as a reverse proxy to 127.0.0.1:UPSTREAM_PORT
# over keep-alive connections (the reference for a forwarding proxy); returns once it answers
# METADATA_PATH. Sets NGINX_PROXY_PID.
start_nginx_proxy() {
  run_nginx nginx-proxy "  upstream metadata {
    server 127.0.0.1:$2;
    keepalive 32;
    keepalive_requests 1000000;
  }
  server {
    listen 127.0.0.1:$1;
    location / {
      proxy_pass http://metadata;
      proxy_http_version 1.1;
      proxy_set_header Connection \"\";
    }
  }"
  NGINX_PROXY_PID=$NGINX_LAST_PID
  wait_http "http://127.0.0.1:$1$METADATA_PATH" 10 || { tail "$BENCH_DIR/nginx-proxy.log" >&2; exit 1; }
}

# bench_tls JAVA: once per run, a CA and a certificate for 127.0.0.1 signed by it (openssl), and a
# copy of JAVA's own trust store with the CA added (keytool), so that a daemon given TLS_JAVA_OPTS
# trusts the bench's TLS front and loads the whole system trust store, as it does on a host.
# Sets TLS_DIR and TLS_JAVA_OPTS.
bench_tls() {
  TLS_DIR=$BENCH_DIR/tls
  [[ -f $TLS_DIR/truststore ]] && return 0
  mkdir -p "$TLS_DIR"
  local home
  home=$("$1" -XshowSettings:properties -version 2>&1 | awk '$1 == "java.home" {print $3}')
  (
    cd "$TLS_DIR"
    openssl req -x509 -newkey rsa:2048 -nodes -keyout ca-key.pem -out ca.pem -days 2 -subj /CN=berth-bench-ca
    openssl req -newkey rsa:2048 -nodes -keyout key.pem -out server.csr -subj /CN=127.0.0.1
    printf 'subjectAltName = IP:127.0.0.1\nextendedKeyUsage = serverAuth\n' >ext.cnf
    openssl x509 -req -in server.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -out cert.pem -days 2 -extfile ext.cnf
    cp "$(readlink -f "$home/lib/security/cacerts")" truststore
    chmod u+w truststore
    "$home/bin/keytool" -importcert -noprompt -keystore truststore -storepass changeit -alias berth-bench-ca -file ca.pem
  ) >"$BENCH_DIR/tls.log" 2>&1 || { cat "$BENCH_DIR/tls.log" >&2; exit 1; }
  chmod -R a+rX "$TLS_DIR"
  TLS_JAVA_OPTS="-Djavax.net.ssl.trustStore=$TLS_DIR/truststore -Djavax.net.ssl.trustStorePassword=changeit"
}

# start_tls_front NAME BACKEND_URL: nginx terminating TLS (bench_tls's certificate) on a free port of
# 127.0.0.1 in front of BACKEND_URL (plain HTTP), passing the Host the client signed; returns once it
# answers. Sets TLS_FRONT_URL.
start_tls_front() {
  local name=$1 backend=$2 port
  free_port; port=$FREE_PORT
  run_nginx "tls-$name" "  upstream backend {
    server ${backend#http://};
    keepalive 32;
  }
  server {
    listen 127.0.0.1:$port ssl;
    ssl_certificate $TLS_DIR/cert.pem;
    ssl_certificate_key $TLS_DIR/key.pem;
    location / {
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Connection \"\";
      proxy_set_header Host \$http_host;
    }
  }"
  TLS_FRONT_URL=https://127.0.0.1:$port
  local deadline=$((SECONDS + 10))
  until curl -s -o /dev/null --cacert "$TLS_DIR/ca.pem" "$TLS_FRONT_URL/"; do
    ((SECONDS < deadline)) || { tail "$BENCH_DIR/tls-$name.log" >&2; exit 1; }
    sleep 0.1
  done
}

# rss PID: "VmRSS VmHWM" in MiB (one decimal).
rss() {
  awk '/^VmRSS:/ {r = $2} /^VmHWM:/ {h = $2} END {printf "%.1f %.1f\n", r / 1024, h / 1024}' "/proc/$1/status"
}

# cpu_ticks PID: user+system clock ticks used so far by PID and its children (e.g. nginx's worker).
cpu_ticks() {
  local pid total=0 u s
  for pid in "$1" $(ps -o pid= --ppid "$1" 2>/dev/null); do
    # Fields 14 and 15 of /proc/PID/stat, counted after the ")" that ends the command name.
    read -r u s < <(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | awk '{print $12, $13}') || continue
    total=$((total + u + s))
  done
  echo "$total"
}
CLK_TCK=$(getconf CLK_TCK)

# thread_ticks PID: "GROUP TICKS" per line, the CPU clock ticks of PID's threads so far, summed by
# thread name without its trailing number ("berth-loop-1" and "berth-loop-2" are one group).
thread_ticks() {
  local stat
  for stat in /proc/"$1"/task/*/stat; do cat "$stat" 2>/dev/null || true; done | awk '{
      lp = index($0, "("); rp = length($0) - index(reverse($0), ")") + 1
      name = substr($0, lp + 1, rp - lp - 1); sub(/[#-]?[0-9]+$/, "", name); gsub(/ /, "_", name)
      split(substr($0, rp + 2), f, " "); t[name] += f[12] + f[13] }
    function reverse(s,   r, i) { r = ""; for (i = length(s); i > 0; i--) r = r substr(s, i, 1); return r }
    END { for (n in t) print n, t[n] }'
}

# thread_share BEFORE AFTER SECONDS: from two thread_ticks snapshots, the groups that used at least
# 2 % of a core in between, largest first, as "group=percent-of-one-core".
thread_share() {
  awk -v hz="$CLK_TCK" -v d="$3" 'FNR == NR {b[$1] = $2; next} {u = ($2 - b[$1]) / hz / d * 100; if (u >= 2) printf "%s=%.0f%%\n", $1, u}' \
    <(echo "$1") <(echo "$2") | sort -t= -k2 -rn | paste -sd' '
}

# to_ms VALUE: wrk's "812.00us" / "3.15ms" / "1.20s" in milliseconds.
to_ms() {
  awk -v v="$1" 'BEGIN {
    n = v + 0
    if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000; else if (v ~ /m$/) n *= 60000
    printf "%.2f", n }'
}

# run_wrk SECONDS URL OUTFILE SERVER_PID: one bounded wrk run; prints
# "req/s p50ms p99ms errors cpu-us-per-request" (the server's CPU time per answered request).
run_wrk() {
  local secs=$1 url=$2 out=$3 pid=$4 before after
  before=$(cpu_ticks "$pid")
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${secs}s" --timeout 5s --latency "$url" >"$out" 2>&1 || true
  after=$(cpu_ticks "$pid")
  local rps p50 p99 bad total cpu
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$out")
  p50=$(awk '$1 == "50%" {print $2}' "$out")
  p99=$(awk '$1 == "99%" {print $2}' "$out")
  bad=$(awk '/Non-2xx or 3xx responses:/ {n += $NF} /Socket errors:/ {for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+,?$/) n += $i + 0} END {print n + 0}' "$out")
  if [[ -z $rps || -z $p50 || -z $p99 ]]; then
    log "wrk failed against $url:"
    cat "$out" >&2
    exit 1
  fi
  total=$(awk '/ requests in / {print $1}' "$out")
  cpu=$(awk -v t=$((after - before)) -v hz="$CLK_TCK" -v n="${total:-0}" 'BEGIN {printf "%.1f", (n > 0 ? t / hz * 1e6 / n : 0)}')
  echo "$rps $(to_ms "$p50") $(to_ms "$p99") $bad $cpu"
}

# compare NAME_A URL_A PID_A NAME_B URL_B PID_B: compare_many with two targets.
compare() {
  compare_many "$@"
}

# compare_many NAME URL PID [NAME URL PID]...: warm every target, then ROUNDS measured runs of each,
# alternating in the order given; prints every run and a summary (each target's best run by req/s).
# The first target is the baseline of the ratios; the last is the one under test (its warm-up is
# WARMUP s, the others' a quarter of that, and its RSS is printed); with three or more, every target
# is also compared with the one before the last (e.g. the proxy with nginx's own reverse proxy).
compare_many() {
  local names=() urls=() pids=() n i
  while (($# >= 3)); do
    names+=("$1"); urls+=("$2"); pids+=("$3"); shift 3
  done
  n=${#names[@]}
  local last=$((n - 1)) under=${names[$((n - 1))]} under_pid=${pids[$((n - 1))]}
  local warm_short=$(( WARMUP / 4 > 2 ? WARMUP / 4 : 2 ))
  log "warm-up: ${names[*]:0:$last} ${warm_short}s each, $under ${WARMUP}s"
  for ((i = 0; i < n; i++)); do
    run_wrk "$( ((i == last)) && echo "$WARMUP" || echo "$warm_short")" "${urls[$i]}" \
      "$BENCH_DIR/warm-${names[$i]}.txt" "${pids[$i]}" >/dev/null
  done
  alive "$under_pid" proxy
  local after_warmup
  after_warmup=$(rss "$under_pid")

  local best=() r line rps p50 p99 bad cpu
  for ((i = 0; i < n; i++)); do best+=("0 0 0 0 0"); done
  printf '%-6s %-12s %10s %9s %9s %7s %12s %6s\n' round target "req/s" "p50 ms" "p99 ms" errors "cpu us/req" load
  for ((r = 1; r <= ROUNDS; r++)); do
    for ((i = 0; i < n; i++)); do
      line=$(run_wrk "$DURATION" "${urls[$i]}" "$BENCH_DIR/run$r-${names[$i]}.txt" "${pids[$i]}")
      alive "$under_pid" proxy
      read -r rps p50 p99 bad cpu <<<"$line"
      printf '%-6s %-12s %10.0f %9.2f %9.2f %7d %12.1f %6s\n' "$r" "${names[$i]}" "$rps" "$p50" "$p99" "$bad" "$cpu" \
        "$(cut -d' ' -f1 /proc/loadavg)"
      awk -v x="$rps" -v y="${best[$i]%% *}" 'BEGIN {exit !(x > y)}' && best[$i]=$line
    done
  done
  local after_load
  after_load=$(rss "$under_pid")

  echo
  echo "best of $ROUNDS x ${DURATION}s, wrk -t$THREADS -c$CONNECTIONS, $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ)," \
    "load average $(cut -d' ' -f1-3 /proc/loadavg)"
  printf '%-12s %10s %9s %9s %12s\n' "" "req/s" "p50 ms" "p99 ms" "cpu us/req"
  for ((i = 0; i < n; i++)); do
    read -r rps p50 p99 _ cpu <<<"${best[$i]}"
    printf '%-12s %10.0f %9.2f %9.2f %12.1f\n' "${names[$i]}" "$rps" "$p50" "$p99" "$cpu"
  done
  # ratio A B: throughput, p99 and CPU per request of B against A.
  ratio() {
    local ra pa ca rb pb cb
    read -r ra _ pa _ ca <<<"${best[$1]}"
    read -r rb _ pb _ cb <<<"${best[$2]}"
    awk -v ra="$ra" -v rb="$rb" -v pa="$pa" -v pb="$pb" -v ca="$ca" -v cb="$cb" \
        -v a="${names[$1]}" -v b="${names[$2]}" 'BEGIN {
      printf "throughput %s/%s:   %.2f\n", b, a, rb / ra
      printf "p99 %s/%s:          %.2f\n", b, a, (pa > 0 ? pb / pa : 0)
      printf "cpu per request %s/%s: %.2f\n", b, a, (ca > 0 ? cb / ca : 0) }'
  }
  for ((i = 0; i < n; i++)); do
    read -r _ _ _ bad _ <<<"${best[$i]}"
    ((bad == 0)) || echo "WARNING: ${names[$i]}'s best run had $bad failed requests (non-2xx or socket errors): its figures do not compare"
  done
  for ((i = 1; i < n; i++)); do ratio 0 "$i"; done
  ((n >= 3)) && ratio $((n - 2)) "$last"
  local rss_now hwm_now rss_warm
  read -r rss_now hwm_now <<<"$after_load"
  read -r rss_warm _ <<<"$after_warmup"
  echo "$under RSS (MiB): idle ${PROXY_IDLE_RSS:-?}, after warm-up $rss_warm, after load $rss_now (VmRSS), peak $hwm_now (VmHWM)"
}
