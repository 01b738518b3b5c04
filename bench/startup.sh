#!/usr/bin/env bash
# bench/startup.sh — the real daemon's start-to-ready time and resident memory, with groups, jobs and
# 1,000 containers loaded, next to the proxy alone, against the same emulators in one run.
#
# One dev.berth.testing.EmulatedHost serves every start: STS, a Docker engine emulator whose
# CONTAINERS containers already run (as on a host where the daemon restarts), and the EC2 emulator;
# nginx plays the upstream metadata service. Two configurations of bin/berth-proxy in its normal mode:
#   proxy       no --groups-dir, no --encryptor-state-dir
#   everything  --groups-dir holding one converged group of GROUP_SIZE instances (committed and
#               converged by a set-up start before the measured ones), --encryptor-state-dir,
#               --ec2-endpoint, --max-instances GROUP_SIZE
# Both use the class-data archive bin/berth-proxy makes for its mode ("normal" for the proxy,
# "pipelines" with groups or jobs), recorded by the set-up starts in this run's own cache directory
# ($BENCH_DIR/cache), as a host's first start records it; ARCHIVE=0 starts every one without.
#
# STARTS starts of each configuration, alternating: the time from launching bin/berth-proxy to the
# first answer from /healthz (the JVM has started and the listeners are up) and to the first 200
# from /readyz (the index has also listed the engine's containers), polled every 10 ms, then
# SIGTERM and wait. Then one more start of each for memory: once every
# container's credentials are cached (and, for "everything", the group is converged and JOBS
# encryption jobs are running), VmRSS after 6 s idle (one native-heap trim), then after DURATION s
# of wrk against container 0's credentials, and the peak (VmHWM).
#
#   bench/startup.sh                         # STARTS=10 CONTAINERS=1000 GROUP_SIZE=200 JOBS=2
#   STARTS=10 DURATION=10 bench/startup.sh
#   ARCHIVE=0 STARTS=10 DURATION=10 bench/startup.sh   # without the class-data archive
#
# Environment (and lib.sh's DURATION, CONNECTIONS, THREADS, BASE_PORT, KEEP): STARTS, CONTAINERS,
# GROUP_SIZE, JOBS, ARCHIVE, EC2_POLL (--ec2-poll-interval, default 10s, the daemon's own),
# EC2_PENDING/EC2_COPY/EC2_SHUTDOWN (20, 30, 5 s), BERTH_JVM_TUNED, BERTH_JAVA_OPTS, JAVA_HOME.
# Needs: ./mvnw -B -q -o -DskipTests -DskipITs install -pl testing,daemon -am
# Loopback only; static fake credentials and AWS_EC2_METADATA_DISABLED=true for every process; every
# load run bounded by wrk -d; every wait bounded; everything started is stopped on exit.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
STARTS=${STARTS:-10}
CONTAINERS=${CONTAINERS:-1000}
GROUP_SIZE=${GROUP_SIZE:-200}
JOBS=${JOBS:-2}
ARCHIVE=${ARCHIVE:-1}
EC2_POLL=${EC2_POLL:-10s}
source "$(dirname "${BASH_SOURCE[0]}")/daemon-lib.sh"
export BERTH_CACHE_DIR=$BENCH_DIR/cache
[[ $ARCHIVE == 1 ]] || export BERTH_CLASS_ARCHIVE=0

free_port; NGINX_PORT=$FREE_PORT
free_port; PORT=$FREE_PORT
free_port; ADMIN=$FREE_PORT
start_metadata_nginx "$NGINX_PORT"
start_host host "$CONTAINERS"
log "daemon on 127.0.0.1:$PORT (admin $ADMIN), STS $STS_URL, EC2 $EC2_URL, $CONTAINERS containers; files in $BENCH_DIR"

# launch CONFIG: starts the daemon in that configuration; sets PROXY_PID and STARTED_NS.
launch() {
  case $1 in
    proxy) daemon_args "$PORT" "$ADMIN" "$NGINX_PORT" ;;
    everything) daemon_args "$PORT" "$ADMIN" "$NGINX_PORT" with-pipelines ;;
  esac
  STARTED_NS=$(date +%s%N)
  start_proxy "${DAEMON_ARGS[@]}"
}

# await_ready: "LISTENING_MS READY_MS": from STARTED_NS to the first answer from /healthz (the admin
# listener is up) and to the first 200 from /readyz (the index has synced too); at most 120 s.
await_ready() {
  local deadline=$((SECONDS + 120)) listening=""
  until [[ $(http_status "$ADMIN" /readyz) == 200 ]]; do
    if [[ -z $listening && -n $(http_status "$ADMIN" /healthz) ]]; then
      listening=$((($(date +%s%N) - STARTED_NS) / 1000000))
    fi
    alive "$PROXY_PID" proxy
    ((SECONDS < deadline)) || { log "not ready after 120 s"; exit 1; }
    sleep 0.01
  done
  local ready=$((($(date +%s%N) - STARTED_NS) / 1000000))
  echo "${listening:-$ready} $ready"
}

# stop_daemon: SIGTERM and wait (it cancels and cleans up running jobs first); keeps its log.
stop_daemon() {
  kill -TERM "$PROXY_PID" 2>/dev/null || true
  local deadline=$((SECONDS + 60))
  while kill -0 "$PROXY_PID" 2>/dev/null; do
    ((SECONDS < deadline)) || { log "the daemon did not stop within 60 s"; kill -KILL "$PROXY_PID"; break; }
    sleep 0.1
  done
  wait "$PROXY_PID" 2>/dev/null || true
  cat "$BENCH_DIR/proxy.log" >>"$BENCH_DIR/proxy-all.log"
}

# await_group ID: until the group is converged with GROUP_SIZE instances running (at most 180 s).
await_group() {
  local deadline=$((SECONDS + 180)) state
  while :; do
    state=$(group_state "$1" "$ADMIN" || true)
    [[ $state == "converged $GROUP_SIZE/$GROUP_SIZE 0" ]] && return 0
    ((SECONDS < deadline)) || { log "group $1 not converged after 180 s: $state"; exit 1; }
    sleep 1
  done
}

submit_jobs() {
  local j
  for ((j = 1; j <= JOBS; j++)); do
    api POST /v1/encryptions "$ADMIN" "{\"image\": \"ami-4926fd29\", \"encryptedAmiName\": \"startup-$1-$j\"}" >/dev/null
  done
}

# Set-up: commit and converge the group the "everything" starts load. With the archive, these starts
# record it (when they stop): the proxy's, and the pipelines' with the group, the jobs and the API run.
log "set-up: committing a group of $GROUP_SIZE and waiting for it to converge (instances pending ${EC2_PENDING}s)"
launch everything
await_ready >/dev/null
api PUT /v1/groups/startup "$ADMIN" "$(group_spec startup "$GROUP_SIZE" setup)" >/dev/null
submit_jobs setup
await_filled "$CONTAINERS" "$ADMIN"
await_group startup
stop_daemon
launch proxy
await_ready >/dev/null
await_filled "$CONTAINERS" "$ADMIN"
stop_daemon
if [[ $ARCHIVE == 1 ]]; then
  # On Java 17 and 18 the launcher checks a recorded archive at the next start (a throwaway JVM, 0.1-0.3 s)
  # before it maps it: one more start of each, so that no measured start pays for that.
  for config in everything proxy; do
    launch "$config"
    await_ready >/dev/null
    stop_daemon
  done
  log "class-data archives: $(cd "$BENCH_DIR/cache" && du -m ./*.jsa ./*.aot 2>/dev/null | sed 's|\./||' | tr '\t\n' ' ')(MiB)"
fi

configs=(proxy everything)
declare -A times listen_times
log "$STARTS starts of each of: ${configs[*]} (alternating); load $(cut -d' ' -f1-3 /proc/loadavg)"
for ((i = 1; i <= STARTS; i++)); do
  for config in "${configs[@]}"; do
    launch "$config"
    read -r listening ms < <(await_ready)
    [[ -n ${ms:-} ]] || { log "$config: no ready time"; exit 1; }
    times[$config]+="$ms "
    listen_times[$config]+="$listening "
    stop_daemon
  done
done

# Memory: one more start of each, fully loaded.
declare -A memory
for config in "${configs[@]}"; do
  launch "$config"
  await_ready >/dev/null
  [[ $config != proxy ]] && submit_jobs "$config"
  await_filled "$CONTAINERS" "$ADMIN"
  [[ $config != proxy ]] && await_group startup
  state=""
  if [[ $config != proxy ]]; then
    state="group $(group_state startup "$ADMIN"), $(metric berth_encryptions_running "$ADMIN") jobs running"
  fi
  sleep 6
  read -r idle _ < <(rss "$PROXY_PID")
  run_wrk "$DURATION" "http://127.0.0.1:$PORT$CREDS_PATH" "$BENCH_DIR/load-$config.txt" "$PROXY_PID" >/dev/null
  alive "$PROXY_PID" proxy
  read -r loaded hwm < <(rss "$PROXY_PID")
  memory[$config]="$idle $loaded $hwm"
  [[ -n $state ]] && log "$config: $state"
  stop_daemon
done

echo
echo "real daemon (bin/berth-proxy, normal mode), $CONTAINERS containers, $STARTS starts each, class-data archive $( ((ARCHIVE)) && echo yes || echo no), $(nproc) cores," \
  "load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%Y-%m-%dT%H:%MZ)"
# stats LIST: "median worst best" of a list of numbers.
stats() {
  printf '%s\n' $1 | sort -n | awk '{v[NR] = $1} END {
    printf "%d %d %d\n", (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2), v[NR], v[1] }'
}
printf '%-11s %22s %22s %28s\n' "" "to listening (ms)" "to ready (ms)" "RSS (MiB)"
printf '%-11s %8s %6s %6s %8s %6s %6s %8s %10s %8s\n' config median worst best median worst best idle "after load" peak
for config in "${configs[@]}"; do
  read -r lmed lworst lbest < <(stats "${listen_times[$config]}")
  read -r med worst best < <(stats "${times[$config]}")
  read -r idle loaded hwm <<<"${memory[$config]}"
  printf '%-11s %8d %6d %6d %8d %6d %6d %8s %10s %8s\n' "$config" "$lmed" "$lworst" "$lbest" "$med" "$worst" "$best" \
    "$idle" "$loaded" "$hwm"
done
echo "every start (ms to listening / to ready), in order:"
for config in "${configs[@]}"; do
  paste -d/ <(printf '%s\n' ${listen_times[$config]}) <(printf '%s\n' ${times[$config]}) | tr '\n' ' ' | sed "s/^/  $config: /"
  echo
done
