#!/usr/bin/env bash
# bench/memory.sh — resident memory of the real proxy daemon under load, with 1 and with 1,000
# containers in its index (each with its own address and role, all prefetched into the credential
# cache), measured in one run.
#
# The daemon is bin/berth-proxy in its normal mode (its JVM flags, its container index over the Engine API,
# its AWS SDK STS client), so it loads what it loads on a real host. Around it, on this machine only:
#   - dev.berth.testing.EmulatedHost: a Docker engine emulator on a unix socket (the Engine API that
#     Berth's DockerEngine speaks: list, inspect, the events stream) and an STS emulator on 127.0.0.1 (the
#     Query protocol the SDK speaks). Once the daemon is ready it runs N containers: container 0 at
#     127.0.0.1 (the address wrk calls from), the others at 127.1.x.y, labelled role-0 .. role-49; the daemon
#     sees each one start, indexes it and prefetches its credentials (one STS AssumeRole each).
#   - nginx, playing the real metadata service (the daemon's --upstream) for /latest/meta-data/instance-id.
#   - nginx terminating TLS in front of the STS emulator (unless STS_TLS=0): on a host the SDK reaches
#     STS over HTTPS, so the daemon loads the JDK's TLS stack and the whole system trust store (a copy
#     of this JDK's, with the bench's own CA added) as it does there.
# For each size the script waits until /metrics shows berth_containers and berth_credentials_cached
# equal to N, then loads the daemon: $WARMUP s of warm-up, then wrk -t1 -c64 for $DURATION s against
# the credential document of container 0 (/latest/meta-data/iam/security-credentials/role-0), and
# $DURATION s against the pass-through path (which the daemon answers mostly from its 1 s upstream
# cache, --upstream-cache's default, as containers see it; --max-forwarded-per-caller is raised to wrk's
# connections, which all come from one address, so that a cache refresh is not answered 429). It reports, per size: containers indexed, credentials
# cached, seconds from the daemon's start until both were full, req/s and failed requests of both
# runs, the daemon's VmRSS idle (index and cache full, before load) and after the load, and its
# peak (VmHWM); then each size's RSS against the first's.
#
#   bench/memory.sh                         # sizes 1 and 1000
#   SIZES="1 1000 5000" bench/memory.sh
#   DURATION=10 WARMUP=5 KEEP=1 bench/memory.sh
#
# Environment (defaults in lib.sh):
#   SIZES      containers per measurement, in order; the first is the baseline of the ratios (default "1 1000")
#   DURATION   seconds of each measured wrk run (default 15)
#   WARMUP     seconds of warm-up load on the credentials path (default 20); the pass-through path gets
#              a quarter, at least 2
#   KEEP=1     keep the temporary directory (logs of the daemon and the emulators, wrk output)
#   PRIME=0    no unmeasured first start (by default one records the class-data archive if this build
#              has none yet, so that the measured starts map it)
#   STS_TLS=0  the daemon reaches the STS emulator over plain HTTP (default 1: over TLS, as on a host)
#   NMT=1      also print where the daemon's memory is committed (Native Memory Tracking, which adds
#              about 3 MiB itself), what each mapping holds resident (/proc/PID/smaps) and its live
#              heap, after the load; keep the full summary and heap layout as nmt-SIZE.txt, the
#              mappings as smaps-SIZE.txt and the class histogram as histogram-SIZE.txt (with KEEP=1);
#              with HEAP_DUMP=1 also the live heap as heap-SIZE.hprof (bench/heap-owners.py reads it)
#   BERTH_JVM_TUNED, BERTH_JAVA_OPTS, JAVA_HOME: as bin/berth-proxy reads them
#
# Needs the daemon's jar and the emulators' classes, built from the same tree:
#   ./mvnw -B -q -o -DskipTests -DskipITs install -pl testing,daemon -am
# Loopback only: the daemon listens on 127.0.0.1, its upstream and STS are on 127.0.0.1, its Docker
# engine is a socket in the temporary directory; every process gets AWS_EC2_METADATA_DISABLED=true
# and static credentials; every load run is bounded by wrk -d; everything is stopped on exit.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

export AWS_ACCESS_KEY_ID=AKIDBERTHTEST0000000 AWS_SECRET_ACCESS_KEY=berth-test-secret AWS_REGION=us-east-1
unset AWS_SESSION_TOKEN AWS_PROFILE

SIZES=${SIZES:-1 1000}
CREDS_PATH=/latest/meta-data/iam/security-credentials/role-0
DATA_PATH=$METADATA_PATH
BASE_ROLE_ARN=arn:aws:iam::123456789012:role/

jar=$BENCH_ROOT/daemon/target/berth-proxy.jar
classes=$BENCH_ROOT/testing/target/classes
if [[ ! -f $jar || ! -f $classes/dev/berth/testing/EmulatedHost.class ]]; then
  log "missing $jar or $classes/dev/berth/testing/EmulatedHost.class; build both first:"
  log "  ./mvnw -B -q -o -DskipTests -DskipITs install -pl testing,daemon -am"
  exit 2
fi
java=${JAVA_HOME:+$JAVA_HOME/bin/}java
[[ ${NMT:-0} == 1 ]] && export BERTH_JAVA_OPTS="-XX:NativeMemoryTracking=summary ${BERTH_JAVA_OPTS:-}"

# metric NAME ADMIN_PORT: the value of an untagged gauge on the daemon's /metrics, as an integer.
metric() {
  { curl -sf --max-time 2 "http://127.0.0.1:$2/metrics" || true; } | awk -v m="$1" '$1 == m {printf "%d\n", $2; found = 1} END {if (!found) print -1}'
}

# start_host SIZE ADMIN_PORT [NAME]: EmulatedHost with SIZE containers, run once the daemon's /readyz
# answers; its files are named after NAME (default: SIZE). Sets HOST_PID, STS_URL, DOCKER_HOST_URL.
start_host() {
  local size=$1 admin=$2 name=${3:-$1} deadline=$((SECONDS + 60))
  local out=$BENCH_DIR/host-$name.out
  "$java" -XX:+UseSerialGC -Xmx256m -cp "$jar:$classes" dev.berth.testing.EmulatedHost \
    "$BENCH_DIR/docker-$name.sock" "$size" "http://127.0.0.1:$admin/readyz" >"$out" 2>"$BENCH_DIR/host-$name.log" &
  HOST_PID=$!
  BENCH_PIDS+=("$HOST_PID")
  until grep -q '^ready ' "$out"; do
    alive "$HOST_PID" "host-$name"
    ((SECONDS < deadline)) || { log "EmulatedHost did not report ready"; exit 1; }
    sleep 0.2
  done
  STS_URL=$(sed -n 's/^ready .*sts=\([^ ]*\).*/\1/p' "$out")
  DOCKER_HOST_URL=$(sed -n 's/^ready .*docker=\([^ ]*\).*/\1/p' "$out")
  if [[ $STS_TLS == 1 ]]; then
    start_tls_front "sts-$name" "$STS_URL"
    STS_URL=$TLS_FRONT_URL
  fi
}

# daemon_options PORT ADMIN: the daemon's command line against the EmulatedHost just started.
daemon_options() {
  DAEMON_OPTIONS=(--listen "127.0.0.1:$1" --admin-listen "127.0.0.1:$2"
    --docker-host "$DOCKER_HOST_URL" --sts-endpoint "$STS_URL" --region us-east-1
    --base-role-arn "$BASE_ROLE_ARN" --upstream "http://127.0.0.1:$NGINX_PORT"
    --max-forwarded-per-caller "$(( CONNECTIONS > 32 ? CONNECTIONS : 32 ))")
}

# await_filled SIZE ADMIN_PORT: until the index holds SIZE containers and the cache SIZE credentials.
await_filled() {
  local size=$1 admin=$2 deadline=$((SECONDS + 180)) indexed cached
  while :; do
    indexed=$(metric berth_containers "$admin")
    cached=$(metric berth_credentials_cached "$admin")
    [[ $indexed == "$size" && $cached == "$size" ]] && return 0
    alive "$PROXY_PID" proxy
    alive "$HOST_PID" "host-$size"
    if ((SECONDS > deadline)); then
      log "after 180 s the daemon has $indexed containers indexed and $cached credentials cached, not $size"
      exit 1
    fi
    sleep 0.5
  done
}

# stop PID: terminate it and wait for it.
stop() {
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

free_port; NGINX_PORT=$FREE_PORT
start_metadata_nginx "$NGINX_PORT"
STS_TLS=${STS_TLS:-1}
if [[ $STS_TLS == 1 ]]; then
  bench_tls "$java"
  export BERTH_JAVA_OPTS="${BERTH_JAVA_OPTS:+$BERTH_JAVA_OPTS }$TLS_JAVA_OPTS"
fi

# The first start after a build runs without the class-data archive and records it (written as it
# stops): unless PRIME=0, one unmeasured start with 1 container does that, so that every measured
# start maps the archive, as a host's starts after the first do.
if [[ ${PRIME:-1} == 1 ]]; then
  free_port; port=$FREE_PORT
  free_port; admin=$FREE_PORT
  start_host 1 "$admin" prime
  daemon_options "$port" "$admin"
  start_proxy "${DAEMON_OPTIONS[@]}"
  await_filled 1 "$admin"
  stop "$PROXY_PID"
  stop "$HOST_PID"
  log "unmeasured first start: $(grep -o 'class-data archive: [a-z ]*' "$BENCH_DIR/proxy.log" | head -1)"
  mv "$BENCH_DIR/proxy.log" "$BENCH_DIR/proxy-prime.log"
fi

warm_pass=$(( WARMUP / 4 > 2 ? WARMUP / 4 : 2 ))
log "files in $BENCH_DIR; per size: ${WARMUP}s + ${warm_pass}s warm-up, 2 x ${DURATION}s measured, wrk -t$THREADS -c$CONNECTIONS"
results=()
for size in $SIZES; do
  free_port; port=$FREE_PORT
  free_port; admin=$FREE_PORT
  start_host "$size" "$admin"
  log "size $size: daemon on 127.0.0.1:$port (admin $admin), Docker $DOCKER_HOST_URL, STS $STS_URL, upstream nginx :$NGINX_PORT"
  started=$SECONDS
  daemon_options "$port" "$admin"
  start_proxy "${DAEMON_OPTIONS[@]}"
  await_filled "$size" "$admin"
  fill=$((SECONDS - started))

  creds_url=http://127.0.0.1:$port$CREDS_PATH
  data_url=http://127.0.0.1:$port$DATA_PATH
  curl -sf "$creds_url" | grep -q '"AccessKeyId" *: *"ASIA' \
    || { log "no credential document for container 0 at $creds_url"; curl -s "$creds_url" >&2; exit 1; }
  [[ $(curl -sf "$data_url") == "$INSTANCE_ID" ]] || { log "the daemon did not pass $DATA_PATH through"; exit 1; }
  java_pid=$(pgrep -P "$PROXY_PID" java || echo "$PROXY_PID")
  # Idle: after one native-heap trim (bin/berth-proxy's -XX:TrimNativeHeapInterval=5000) since the fill.
  sleep 6
  read -r idle _ < <(rss "$java_pid")

  run_wrk "$WARMUP" "$creds_url" "$BENCH_DIR/warm-creds-$size.txt" "$java_pid" >/dev/null
  run_wrk "$warm_pass" "$data_url" "$BENCH_DIR/warm-pass-$size.txt" "$java_pid" >/dev/null
  line=$(run_wrk "$DURATION" "$creds_url" "$BENCH_DIR/creds-$size.txt" "$java_pid")
  read -r creds_rps _ _ creds_bad _ <<<"$line"
  line=$(run_wrk "$DURATION" "$data_url" "$BENCH_DIR/pass-$size.txt" "$java_pid")
  read -r pass_rps _ _ pass_bad _ <<<"$line"
  alive "$PROXY_PID" proxy
  read -r rss_now hwm < <(rss "$java_pid")
  # Resident memory by kind: anonymous (heap, metaspace, malloc) and file-backed (libjvm, the class-data archive).
  log "size $size after load: $(awk '/^Rss(Anon|File|Shmem):/ {printf "%s %.1f MiB  ", $1, $2 / 1024}' "/proc/$java_pid/status")"
  indexed=$(metric berth_containers "$admin")
  cached=$(metric berth_credentials_cached "$admin")
  # Whether this start mapped the class-data archive, or recorded it (the first start after a build does).
  archive=no
  grep -q 'class-data archive: using' "$BENCH_DIR/proxy.log" && archive=yes
  grep -q 'class-data archive: none yet' "$BENCH_DIR/proxy.log" && archive=recording
  results+=("$size $indexed $cached $fill $creds_rps $creds_bad $pass_rps $pass_bad $idle $rss_now $hwm $archive")
  ((creds_bad + pass_bad == 0)) || log "size $size: $creds_bad + $pass_bad failed requests (see $BENCH_DIR/*-$size.txt; KEEP=1 keeps them)"

  if [[ ${NMT:-0} == 1 ]]; then
    jcmd "$java_pid" VM.native_memory summary >"$BENCH_DIR/nmt-$size.txt"
    jcmd "$java_pid" GC.heap_info >>"$BENCH_DIR/nmt-$size.txt"
    jcmd "$java_pid" GC.class_histogram >"$BENCH_DIR/histogram-$size.txt"
    [[ ${HEAP_DUMP:-0} == 1 ]] && jcmd "$java_pid" GC.heap_dump "$BENCH_DIR/heap-$size.hprof" >/dev/null
    echo "size $size, live heap after a full collection: $(awk '/^Total/ {printf "%.1f MiB", $3 / 1048576}' "$BENCH_DIR/histogram-$size.txt")" >&2
    echo "size $size, committed KiB by Native Memory Tracking category:" >&2
    awk '/^-/ {sub(/^- */, ""); name = $0; sub(/ *\(reserved.*/, "", name); match($0, /committed=[0-9]+/);
      print "  " substr($0, RSTART + 10, RLENGTH - 10) "\t" name}' "$BENCH_DIR/nmt-$size.txt" | sort -rn | head -12 >&2
    # Committed is not resident: what each mapping holds in RAM, by file (the class-data archives,
    # libjvm) and, for anonymous ones, by the mapping's size (for the heap and the code cache, the
    # part committed so far: 32 MiB and about 20 MiB; small ones are malloc arenas and thread stacks).
    cp "/proc/$java_pid/smaps" "$BENCH_DIR/smaps-$size.txt"
    echo "size $size, resident KiB (anonymous KiB of it) by mapping:" >&2
    awk '/^[0-9a-f]+-[0-9a-f]+ / { name = $6; sub(/.*\//, "", name) }
         /^Size:/ && name == "" { name = $2 >= 1024 ? sprintf("anonymous, %d MiB reserved", $2 / 1024) : "anonymous, small (malloc, stacks)" }
         /^Rss:/ { rss[name] += $2 } /^Anonymous:/ { anon[name] += $2 }
         END { for (n in rss) if (rss[n] >= 512) printf "  %d\t(%d)\t%s\n", rss[n], anon[n], n }' \
      "$BENCH_DIR/smaps-$size.txt" | sort -rn | head -14 >&2
  fi
  stop "$PROXY_PID"
  stop "$HOST_PID"
  mv "$BENCH_DIR/proxy.log" "$BENCH_DIR/proxy-$size.log"
done

echo
echo "real daemon (bin/berth-proxy, normal mode), ${DURATION}s per run after warm-up, wrk -t$THREADS -c$CONNECTIONS," \
  "$(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ)"
printf '%-10s %7s %6s %6s %11s %6s %11s %6s %9s %10s %10s %10s\n' containers indexed cached "fill s" "creds req/s" errors \
  "pass req/s" errors "idle MiB" "VmRSS MiB" "VmHWM MiB" archive
for line in "${results[@]}"; do
  read -r size indexed cached fill creds_rps creds_bad pass_rps pass_bad idle rss_now hwm archive <<<"$line"
  printf '%-10s %7s %6s %6s %11.0f %6d %11.0f %6d %9s %10s %10s %10s\n' "$size" "$indexed" "$cached" "$fill" "$creds_rps" \
    "$creds_bad" "$pass_rps" "$pass_bad" "$idle" "$rss_now" "$hwm" "$archive"
done
if [[ " ${results[*]} " == *" recording "* ]]; then   # PRIME=0, or an archive that could not be written
  echo "note: a start marked 'recording' ran without the class-data archive (the first start after a build records it); run again to compare like with like"
fi
read -r base _ _ _ _ _ _ _ base_idle base_rss base_hwm _ <<<"${results[0]}"
for line in "${results[@]:1}"; do
  read -r size _ _ _ _ _ _ _ idle rss_now hwm _ <<<"$line"
  awk -v n="$size" -v b="$base" -v i="$idle" -v bi="$base_idle" -v r="$rss_now" -v br="$base_rss" \
      -v h="$hwm" -v bh="$base_hwm" 'BEGIN {
    printf "RSS(%s)/RSS(%s): %.2f after load (VmRSS), %.2f idle, %.2f peak (VmHWM)\n", n, b, r / br, i / bi, h / bh }'
done
