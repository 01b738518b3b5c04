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
# and, with CDS=1, a third: "everything" with a dynamic class-data archive of the daemon's classes,
# written by the set-up start (-XX:ArchiveClassesAtExit) and used by the measured ones
# (-XX:SharedArchiveFile).
#
# STARTS starts of each configuration, alternating: the time from launching bin/berth-proxy to the
# first 200 from /readyz (the index has listed the engine's containers and the listener is up),
# polled every 20 ms, then SIGTERM and wait. Then one more start of each for memory: once every
# container's credentials are cached (and, for "everything", the group is converged and JOBS
# encryption jobs are running), VmRSS after 6 s idle (one native-heap trim), then after DURATION s
# of wrk against container 0's credentials, and the peak (VmHWM).
#
#   bench/startup.sh                         # STARTS=10 CONTAINERS=1000 GROUP_SIZE=200 JOBS=2
#   CDS=1 STARTS=10 DURATION=10 bench/startup.sh
#
# Environment (and lib.sh's DURATION, CONNECTIONS, THREADS, BASE_PORT, KEEP): STARTS, CONTAINERS,
# GROUP_SIZE, JOBS, CDS, EC2_POLL (--ec2-poll-interval, default 10s, the daemon's own),
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
CDS=${CDS:-0}
EC2_POLL=${EC2_POLL:-10s}
source "$(dirname "${BASH_SOURCE[0]}")/daemon-lib.sh"
base_opts=${BERTH_JAVA_OPTS:-}

free_port; NGINX_PORT=$FREE_PORT
free_port; PORT=$FREE_PORT
free_port; ADMIN=$FREE_PORT
start_metadata_nginx "$NGINX_PORT"
start_host host "$CONTAINERS"
log "daemon on 127.0.0.1:$PORT (admin $ADMIN), STS $STS_URL, EC2 $EC2_URL, $CONTAINERS containers; files in $BENCH_DIR"

# launch CONFIG: starts the daemon in that configuration; sets PROXY_PID and STARTED_NS.
launch() {
  local opts=$base_opts
  case $1 in
    proxy) daemon_args "$PORT" "$ADMIN" "$NGINX_PORT" ;;
    everything) daemon_args "$PORT" "$ADMIN" "$NGINX_PORT" with-pipelines ;;
    cds) daemon_args "$PORT" "$ADMIN" "$NGINX_PORT" with-pipelines; opts+=" -XX:SharedArchiveFile=$BENCH_DIR/berth.jsa" ;;
    training) daemon_args "$PORT" "$ADMIN" "$NGINX_PORT" with-pipelines
      [[ $CDS == 1 ]] && opts+=" -XX:ArchiveClassesAtExit=$BENCH_DIR/berth.jsa" ;;
  esac
  STARTED_NS=$(date +%s%N)
  BERTH_JAVA_OPTS=$opts start_proxy "${DAEMON_ARGS[@]}"
}

# await_ready: the milliseconds from STARTED_NS to the first 200 from /readyz (at most 120 s).
await_ready() {
  local deadline=$((SECONDS + 120))
  until curl -sf -o /dev/null --max-time 1 "http://127.0.0.1:$ADMIN/readyz"; do
    alive "$PROXY_PID" proxy
    ((SECONDS < deadline)) || { log "not ready after 120 s"; exit 1; }
    sleep 0.02
  done
  echo $((($(date +%s%N) - STARTED_NS) / 1000000))
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

# Set-up: commit and converge the group the "everything" starts load; with CDS=1 also the training
# run for the archive (the jobs' and the API's classes too).
log "set-up: committing a group of $GROUP_SIZE and waiting for it to converge (instances pending ${EC2_PENDING}s)"
launch training
await_ready >/dev/null
api PUT /v1/groups/startup "$ADMIN" "$(group_spec startup "$GROUP_SIZE" setup)" >/dev/null
submit_jobs setup
await_filled "$CONTAINERS" "$ADMIN"
await_group startup
stop_daemon
if [[ $CDS == 1 ]]; then
  [[ -s $BENCH_DIR/berth.jsa ]] || { log "no class-data archive was written"; tail "$BENCH_DIR/proxy.log" >&2; exit 1; }
  log "class-data archive: $(du -m "$BENCH_DIR/berth.jsa" | cut -f1) MiB"
fi

configs=(proxy everything)
[[ $CDS == 1 ]] && configs+=(cds)
declare -A times
log "$STARTS starts of each of: ${configs[*]} (alternating); load $(cut -d' ' -f1-3 /proc/loadavg)"
for ((i = 1; i <= STARTS; i++)); do
  for config in "${configs[@]}"; do
    launch "$config"
    ms=$(await_ready)
    times[$config]+="$ms "
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
echo "real daemon (bin/berth-proxy, normal mode), $CONTAINERS containers, $STARTS starts each, $(nproc) cores," \
  "load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%Y-%m-%dT%H:%MZ)"
printf '%-11s %10s %9s %9s %14s %16s %10s\n' config "ready: median" "worst" "best" "RSS MiB: idle" "after load" "peak" 
for config in "${configs[@]}"; do
  # shellcheck disable=SC2207  # a list of numbers, split on purpose
  sorted=($(printf '%s\n' ${times[$config]} | sort -n))
  n=${#sorted[@]}
  if ((n % 2)); then med=${sorted[n / 2]}; else med=$(((sorted[n / 2 - 1] + sorted[n / 2]) / 2)); fi
  read -r idle loaded hwm <<<"${memory[$config]}"
  printf '%-11s %10d ms %6d ms %6d ms %14s %16s %10s\n' "$config" "$med" "${sorted[n - 1]}" "${sorted[0]}" "$idle" "$loaded" "$hwm"
done
echo "every start to ready (ms), in order:"
for config in "${configs[@]}"; do echo "  $config: ${times[$config]}"; done
