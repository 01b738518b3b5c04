#!/usr/bin/env bash
# bench/memory.sh — resident memory of the proxy under load, with 1 and with 1,000 containers in its
# index (each with its own address and role, all prefetched into the credential cache), measured
# in one run with the same JVM flags as bin/berth-proxy. The load is wrk -t1 -c64 against the
# credential document of the container at 127.0.0.1, for $DURATION seconds per size.
#
#   bench/memory.sh                 # sizes 1 and 1000
#   SIZES="1 1000 5000" bench/memory.sh
#
# Needs proxy-server/target/berth-proxy.jar and proxy-server/target/test-classes (the synthetic
# host, dev.berth.proxy.SyntheticHost): ./mvnw -B -q -DskipTests package builds both.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

classes=$BENCH_ROOT/proxy-server/target/test-classes
[[ -d $classes/dev/berth/proxy ]] || { log "no $classes: run ./mvnw -B -q -DskipTests package first"; exit 2; }

printf '%-12s %12s %12s %12s\n' containers requests/s VmRSS_MiB VmHWM_MiB
for size in ${SIZES:-1 1000}; do
  free_port; port=$FREE_PORT; free_port
  BERTH_MAIN_CLASS=dev.berth.proxy.SyntheticHost BERTH_CLASSPATH=$classes \
    "$BENCH_ROOT/bin/berth-proxy" "$size" "$port" >"$BENCH_DIR/proxy.log" 2>&1 &
  pid=$!
  BENCH_PIDS+=("$pid")
  url=http://127.0.0.1:$port/latest/meta-data/iam/security-credentials/role-0
  wait_http "$url"
  wrk -t1 -c64 -d"${WARMUP:-10}"s "$url" >/dev/null
  rps=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION"s "$url" | awk '/Requests\/sec/ {print $2}')
  java_pid=$(pgrep -P "$pid" java || echo "$pid")
  rss=$(awk '/VmRSS/ {printf "%.1f", $2/1024}' "/proc/$java_pid/status")
  hwm=$(awk '/VmHWM/ {printf "%.1f", $2/1024}' "/proc/$java_pid/status")
  printf '%-12s %12s %12s %12s\n' "$size" "$rps" "$rss" "$hwm"
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
done
