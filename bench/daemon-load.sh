#!/usr/bin/env bash
# bench/daemon-load.sh — cached credential requests to the real daemon while it also converges a
# 200-instance group and runs two encryption jobs, against the same daemon idle, in one run.
#
# The daemon is bin/berth-proxy in its normal mode (Docker index, AWS SDK STS and EC2 clients,
# all on its one event loop) with --groups-dir, --encryptor-state-dir, --ec2-endpoint and
# --max-instances GROUP_SIZE. Around it, on this machine only, dev.berth.testing.EmulatedHost: the
# STS emulator, a Docker engine emulator running CONTAINERS containers (container 0 at 127.0.0.1, the
# address wrk calls from, role-0), and an EC2 emulator whose instances stay pending EC2_PENDING s and
# whose image copies take EC2_COPY s; nginx plays the upstream metadata service.
#
# Once the index and the credential cache are full and after WARMUP s of load, ROUNDS rounds, each:
#   idle  wrk for DURATION s against container 0's credential document; no group, no job.
#   busy  PUT /v1/groups/bench-R (a new group of GROUP_SIZE instances, so convergence starts again
#         each round) and POST /v1/encryptions twice (the example image, the native CopyImage path),
#         then the same wrk run while they work; the group's and jobs' states before and after, and
#         the EC2 calls made during the run, prove it. Then the group is freed (no longer managed; its
#         instances stay in the emulator) and the jobs are cancelled (cleaned up), and the script
#         waits for EC2 to fall quiet before the next idle run.
# Prints every run, the daemon's CPU per run by thread (the loop, the JIT compilers, GC in the VM
# thread, the EC2 I/O thread), then the medians and the ratios busy/idle (targets: throughput >= 0.9,
# p99 <= 1.5).
#
#   bench/daemon-load.sh                                  # ROUNDS=3 DURATION=15 WARMUP=20
#   ROUNDS=3 DURATION=10 WARMUP=15 KEEP=1 bench/daemon-load.sh
#
# Environment (and lib.sh's DURATION, WARMUP, CONNECTIONS, THREADS, BASE_PORT, KEEP):
#   ROUNDS        idle/busy pairs (default 3)
#   GROUP_SIZE    instances of each round's group, also the daemon's --max-instances (default 200)
#   JOBS          encryption jobs per busy round (default 2)
#   CONTAINERS    containers in the emulated engine (default 1000)
#   EC2_POLL      the daemon's --ec2-poll-interval (default 10s, the daemon's own; 2s polls five times as often)
#   EC2_PENDING, EC2_COPY, EC2_SHUTDOWN   the EC2 emulator's durations in seconds (20, 30, 5)
#   BERTH_JVM_TUNED, BERTH_JAVA_OPTS, JAVA_HOME: as bin/berth-proxy reads them
#
# Needs the daemon's jar and the emulators' classes: ./mvnw -B -q -o -DskipTests -DskipITs install -pl testing,daemon -am
# Loopback only; static fake credentials and AWS_EC2_METADATA_DISABLED=true for every process; every
# load run bounded by wrk -d; everything started is stopped on exit.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ROUNDS=${ROUNDS:-3}
GROUP_SIZE=${GROUP_SIZE:-200}
JOBS=${JOBS:-2}
CONTAINERS=${CONTAINERS:-1000}
EC2_POLL=${EC2_POLL:-10s}
source "$(dirname "${BASH_SOURCE[0]}")/daemon-lib.sh"

free_port; NGINX_PORT=$FREE_PORT
free_port; PORT=$FREE_PORT
free_port; ADMIN=$FREE_PORT
start_metadata_nginx "$NGINX_PORT"
start_host host "$CONTAINERS" "http://127.0.0.1:$ADMIN/readyz"
log "daemon on 127.0.0.1:$PORT (admin $ADMIN), STS $STS_URL, EC2 $EC2_URL, Docker $DOCKER_HOST_URL; files in $BENCH_DIR"
daemon_args "$PORT" "$ADMIN" "$NGINX_PORT" with-pipelines
# Its collections, counted per run (a full collection stops every request in flight).
BERTH_JAVA_OPTS="-Xlog:gc:file=$BENCH_DIR/gc.log:uptime,time ${BERTH_JAVA_OPTS:-}" start_proxy "${DAEMON_ARGS[@]}"
await_filled "$CONTAINERS" "$ADMIN"
creds_url=http://127.0.0.1:$PORT$CREDS_PATH
curl -sf "$creds_url" | grep -q '"AccessKeyId" *: *"ASIA' \
  || { log "no credential document for container 0 at $creds_url"; curl -s "$creds_url" >&2; exit 1; }
[[ $(api GET /v1/groups "$ADMIN") == "[]" ]] || { log "the groups directory is not empty"; exit 1; }

log "warm-up ${WARMUP}s; then $ROUNDS x (idle, busy) x ${DURATION}s, wrk -t$THREADS -c$CONNECTIONS, load $(cut -d' ' -f1-3 /proc/loadavg)"
run_wrk "$WARMUP" "$creds_url" "$BENCH_DIR/warm.txt" "$PROXY_PID" >/dev/null
alive "$PROXY_PID" proxy

# quiet: until the EC2 emulator has seen no call for 3 s (the previous round's cleanup is over), at most 90 s.
quiet() {
  local deadline=$((SECONDS + 90)) before
  while ((SECONDS < deadline)); do
    before=$(ec2_calls)
    sleep 3
    [[ $(ec2_calls) == "$before" ]] && return 0
  done
  log "EC2 calls did not stop within 90 s; the idle run that follows is not idle"
}

# collections: "YOUNG FULL FULL_MS", the daemon's collections so far.
collections() {
  awk '/Pause Young/ {y++} /Pause Full/ {f++; ms = $NF; sub(/ms$/, "", ms); t += ms} END {printf "%d %d %.0f\n", y, f, t}' \
    "$BENCH_DIR/gc.log" 2>/dev/null || echo "0 0 0"
}

# gc_since "YOUNG FULL FULL_MS" (collections' output before the run): what ran since, as
# "young/full(ms)", e.g. "412/2(131)".
gc_since() {
  local y0 f0 t0 y1 f1 t1
  read -r y0 f0 t0 <<<"$1"
  read -r y1 f1 t1 <<<"$(collections)"
  echo "$((y1 - y0))/$((f1 - f0))($((t1 - t0)))"
}

# host_share TICKS_BEFORE: the emulators' CPU since then, in % of one core over the run (DURATION s).
host_share() {
  awk -v t=$(($(cpu_ticks "$HOST_PID") - $1)) -v hz="$CLK_TCK" -v d="$DURATION" 'BEGIN {printf "%.0f", t / hz / d * 100}'
}

# gc young/full: the daemon's collections during the run, the full ones' total pause in ms in brackets;
# ec2: calls to the EC2 emulator during the run; emul: the emulators' CPU (they share the 2 cores with wrk and the daemon).
printf '%-5s %-5s %9s %8s %8s %6s %10s %14s %6s %6s  %s\n' round phase "req/s" "p50 ms" "p99 ms" errors "cpu us/req" \
  "gc young/full" "ec2" \
  emul "group (status running/desired outOfDate); jobs (state phase percent): before -> after the run"
idle=() busy=() evidence=() threads_used=()
for ((r = 1; r <= ROUNDS; r++)); do
  quiet
  calls=$(ec2_calls)
  host_cpu=$(cpu_ticks "$HOST_PID")
  echo "$(date -u +%T.%3N) idle $r" >>"$BENCH_DIR/phases.txt"   # wall-clock starts, to line up with -Xlog:gc:...:time
  threads=$(thread_ticks "$PROXY_PID") gcs=$(collections)
  line=$(run_wrk "$DURATION" "$creds_url" "$BENCH_DIR/idle-$r.txt" "$PROXY_PID")
  alive "$PROXY_PID" proxy
  threads_used+=("round $r idle: $(thread_share "$threads" "$(thread_ticks "$PROXY_PID")" "$DURATION")")
  gc=$(gc_since "$gcs")
  emulators=$(host_share "$host_cpu")
  sleep 1.2   # the emulator reports its calls once a second
  n=$(( $(ec2_calls) - calls ))
  read -r rps p50 p99 bad cpu <<<"$line"
  printf '%-5s %-5s %9.0f %8.2f %8.2f %6d %10.1f %14s %6d %5s%%  %s\n' "$r" idle "$rps" "$p50" "$p99" "$bad" "$cpu" "$gc" "$n" \
    "$emulators" "running jobs: $(metric berth_encryptions_running "$ADMIN")"
  idle+=("$line")

  group=bench-$r
  api PUT "/v1/groups/$group" "$ADMIN" "$(group_spec "$group" "$GROUP_SIZE" "$r")" >"$BENCH_DIR/put-$r.json"
  jobs=()
  for ((j = 1; j <= JOBS; j++)); do
    jobs+=("$(api POST /v1/encryptions "$ADMIN" "{\"image\": \"ami-4926fd29\", \"encryptedAmiName\": \"bench-$r-$j\"}" | jq -r .id)")
  done
  sleep 1   # the round's first launches are on their way
  calls=$(ec2_calls)
  before="$(group_state "$group" "$ADMIN")"
  for id in "${jobs[@]}"; do before+="; $(job_state "$id" "$ADMIN")"; done
  host_cpu=$(cpu_ticks "$HOST_PID")
  echo "$(date -u +%T.%3N) busy $r" >>"$BENCH_DIR/phases.txt"
  threads=$(thread_ticks "$PROXY_PID") gcs=$(collections)
  line=$(run_wrk "$DURATION" "$creds_url" "$BENCH_DIR/busy-$r.txt" "$PROXY_PID")
  alive "$PROXY_PID" proxy
  threads_used+=("round $r busy: $(thread_share "$threads" "$(thread_ticks "$PROXY_PID")" "$DURATION")")
  gc=$(gc_since "$gcs")
  emulators=$(host_share "$host_cpu")
  after="$(group_state "$group" "$ADMIN")"
  for id in "${jobs[@]}"; do after+="; $(job_state "$id" "$ADMIN")"; done
  sleep 1.2
  n=$(( $(ec2_calls) - calls ))
  read -r rps p50 p99 bad cpu <<<"$line"
  printf '%-5s %-5s %9.0f %8.2f %8.2f %6d %10.1f %14s %6d %5s%%  %s\n' "$r" busy "$rps" "$p50" "$p99" "$bad" "$cpu" "$gc" "$n" \
    "$emulators" "$before -> $after"
  evidence+=("round $r: EC2 calls during the busy run: $(ec2_breakdown "$calls")")
  busy+=("$line")

  # End the round's work: the group is no longer managed, running jobs are cancelled and cleaned up.
  api POST "/v1/groups/$group/free" "$ADMIN" >/dev/null
  for id in "${jobs[@]}"; do
    api DELETE "/v1/encryptions/$id" "$ADMIN" >/dev/null || true
  done
done

# median FIELD LINES...: the median of one field (1-based) of the lines.
median() {
  local field=$1
  shift
  printf '%s\n' "$@" | awk -v f="$field" '{print $f}' | sort -g | awk '{v[NR] = $1} END {
    printf "%.2f", (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'
}

echo
printf '%s\n' "${evidence[@]}"
echo
echo "the daemon's CPU by thread (name without its number; >= 2 % of one core, in % of one core over the run):"
printf '%s\n' "${threads_used[@]}"
read -r rss_now hwm < <(rss "$PROXY_PID")
echo
echo "real daemon with groups and jobs (bin/berth-proxy, normal mode, $CONTAINERS containers, --ec2-poll-interval $EC2_POLL)," \
  "medians of $ROUNDS x ${DURATION}s per phase, wrk -t$THREADS -c$CONNECTIONS, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)," \
  "$(date -u +%Y-%m-%dT%H:%MZ)"
printf '%-6s %9s %8s %8s %10s\n' phase "req/s" "p50 ms" "p99 ms" "cpu us/req"
for phase in idle busy; do
  if [[ $phase == idle ]]; then lines=("${idle[@]}"); else lines=("${busy[@]}"); fi
  printf '%-6s %9.0f %8.2f %8.2f %10.1f\n' "$phase" "$(median 1 "${lines[@]}")" "$(median 2 "${lines[@]}")" \
    "$(median 3 "${lines[@]}")" "$(median 5 "${lines[@]}")"
done
awk -v ri="$(median 1 "${idle[@]}")" -v rb="$(median 1 "${busy[@]}")" \
    -v pi="$(median 3 "${idle[@]}")" -v pb="$(median 3 "${busy[@]}")" 'BEGIN {
  printf "throughput busy/idle: %.2f (target >= 0.9: %s)\n", rb / ri, (rb / ri >= 0.9 ? "met" : "not met")
  printf "p99 busy/idle:        %.2f (target <= 1.5: %s)\n", pb / pi, (pb / pi <= 1.5 ? "met" : "not met") }'
echo "daemon RSS after the runs: $rss_now MiB (VmRSS), peak $hwm MiB (VmHWM)"
read -r young full full_ms <<<"$(collections)"
echo "daemon collections from its start: $young young, $full full ($full_ms ms in all)"
