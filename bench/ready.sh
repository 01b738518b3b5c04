#!/usr/bin/env bash
# bench/ready.sh — how long the real daemon takes from bin/berth-proxy to /readyz answering 200, and
# how long the first credential request after that takes, with and without the class-data archive,
# in one run.
#
# The daemon is bin/berth-proxy in its normal mode (its JVM flags, its container index over the Engine API,
# its AWS SDK STS client) against dev.berth.testing.EmulatedHost (bench/memory.sh describes it): a
# Docker engine emulator on a unix socket already running $CONTAINERS containers (so /readyz means
# "the index is synced with them") and an STS emulator on 127.0.0.1. Each round starts the daemon
# twice, alternating: once with BERTH_CLASS_ARCHIVE=0 (no archive) and once with the archive in a
# cache directory of this run (made by one unmeasured start first, as the first start on a host
# makes it). Per start it measures:
#   - ready: from just before bin/berth-proxy is run until /readyz answers 200 (polled every 10 ms);
#   - cpu to ready: the CPU time (user + system, all threads) the daemon had used by then: on a
#     shared machine the wall time follows the load average, this much less so;
#   - all cached: from the same moment until the credentials of every container are cached (the
#     prefetch on start; STS answered for each: berth_sts_calls_total{outcome="success"} on /metrics,
#     polled every 50 ms), i.e. until every container's first request would be answered from memory;
#   - first request: then, the time curl takes for the first credential request
#     (GET .../security-credentials/role-0, from 127.0.0.1 = container 0).
# It prints every start and, per variant, the medians (and the worst ready and first request), with
# the load average.
#
#   bench/ready.sh                      # 10 rounds
#   ROUNDS=3 CONTAINERS=50 KEEP=1 bench/ready.sh
#   ROUNDS=10 VARIANTS="archive alt" ALT_JAVA_OPTS=-XX:-TieredCompilation bench/ready.sh   # JIT modes, one run
#   ROUNDS=10 VARIANTS="archive alt" ALT_JAR=/tmp/old/berth-proxy.jar bench/ready.sh       # two builds, one run
#
# Environment:
#   ROUNDS       measured starts per variant (default 10)
#   CONTAINERS   containers running on the emulated host (default 10)
#   KEEP=1       keep the temporary directory (the daemon's logs, the archive)
#   THREADS=1    also write, per start, the CPU each of the daemon's threads had used at ready
#                ($DIR/NAME.threads, with KEEP=1): which of them the start's time goes to
#   VARIANTS     which starts to measure, of "none archive alt" (default "none archive"): alt is an
#                archived start with ALT_JAVA_OPTS added, to compare JVM flags in the same run
#   ALT_JAVA_OPTS  the alt variant's extra JVM flags (after BERTH_JAVA_OPTS, so they win)
#   DOCKER       a real engine to index instead of the emulated one, e.g. unix:///tmp/berth-lab/docker.sock
#                (scripts/lab/up's): its running containers are the ones synced and prefetched, so
#                CONTAINERS must be their number; STS is still the emulator; no first request is
#                sent (no container of that engine is at 127.0.0.1), its column says 0
#   ALT_JAR      the alt variant runs this jar instead (another build, to compare two in one run; its
#                archive is recorded by an unmeasured start of its own)
#   BERTH_JVM_TUNED, BERTH_JAVA_OPTS, JAVA_HOME: as bin/berth-proxy reads them
#
# Needs the daemon's jar and the emulators' classes, built from the same tree:
#   ./mvnw -B -q -o -DskipTests -DskipITs package -pl testing,daemon -am
# Loopback only: every process gets AWS_EC2_METADATA_DISABLED=true and static credentials; the
# daemon's upstream is disabled; everything is stopped on exit.
set -euo pipefail
BENCH_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$BENCH_ROOT/bench/probe.sh"
export AWS_EC2_METADATA_DISABLED=true
export AWS_ACCESS_KEY_ID=AKIDBERTHTEST0000000 AWS_SECRET_ACCESS_KEY=berth-test-secret AWS_REGION=us-east-1
unset AWS_SESSION_TOKEN AWS_PROFILE

ROUNDS=${ROUNDS:-10}
CONTAINERS=${CONTAINERS:-10}
VARIANTS=${VARIANTS:-none archive}
CREDS_PATH=/latest/meta-data/iam/security-credentials/role-0

command -v curl >/dev/null || { echo "bench: curl is not installed" >&2; exit 2; }
jar=$BENCH_ROOT/daemon/target/berth-proxy.jar
classes=$BENCH_ROOT/testing/target/classes
if [[ ! -f $jar || ! -f $classes/dev/berth/testing/EmulatedHost.class ]]; then
  echo "bench: missing $jar or the testing module's classes; build both first:" >&2
  echo "  ./mvnw -B -q -o -DskipTests -DskipITs package -pl testing,daemon -am" >&2
  exit 2
fi
java=${JAVA_HOME:+$JAVA_HOME/bin/}java

DIR=$(mktemp -d "${TMPDIR:-/tmp}/berth-ready.XXXXXX")
PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [[ ${KEEP:-0} == 1 ]]; then echo "bench: kept $DIR" >&2; else rm -rf "$DIR"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
log() { echo "bench: $*" >&2; }

# free_port: a free port on 127.0.0.1 in FREE_PORT (asked of the kernel through a bound socket's number).
free_port() {
  FREE_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
}

# The emulated host, its containers running before the daemon starts (as after a daemon restart).
"$java" -XX:+UseSerialGC -Xmx128m -cp "$jar:$classes" dev.berth.testing.EmulatedHost \
  "$DIR/docker.sock" "$CONTAINERS" >"$DIR/host.out" 2>"$DIR/host.log" &
PIDS+=("$!")
deadline=$((SECONDS + 60))
until grep -q '^ready ' "$DIR/host.out"; do
  ((SECONDS < deadline)) || { log "EmulatedHost did not start"; cat "$DIR/host.log" >&2; exit 1; }
  sleep 0.1
done
STS_URL=$(sed -n 's/^ready .*sts=\([^ ]*\).*/\1/p' "$DIR/host.out")
DOCKER_URL=${DOCKER:-$(sed -n 's/^ready .*docker=\([^ ]*\).*/\1/p' "$DIR/host.out")}

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# is_ready PORT: whether GET /readyz on 127.0.0.1:PORT answers 200 (probe.sh: no process per poll).
is_ready() {
  [[ $(http_status "$1" /readyz) == 200 ]]
}

# sts_successes PORT: berth_sts_calls_total{outcome="success"} on 127.0.0.1:PORT/metrics (empty if
# unanswered), asked through /dev/tcp too: this poll runs every 50 ms from ready until every
# container's credentials are cached, which is part of what is measured. The answer is read to its
# end (the daemon closes the connection): at most 2 s, so that a daemon that stops answering still
# meets the start's deadline.
sts_successes() {
  { exec 3<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null || return 1
  printf 'GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' >&3
  timeout 2 awk '$1 == "berth_sts_calls_total{outcome=\"success\",}" || $1 == "berth_sts_calls_total{outcome=\"success\"}" {printf "%d", $2}' <&3
  exec 3<&-
}

# start_once NAME ARCHIVE(0|1) [EXTRA_JAVA_OPTS [JAR]]: one start; prints
# "ready-ms cpu-ms-at-ready cached-ms first-request-ms".
start_once() {
  local name=$1 archive=$2 opts="${BERTH_JAVA_OPTS:-} ${3:-}" run_jar=${4:-$jar} port admin started ready_at cpu pid deadline fetched cached_at first
  free_port; port=$FREE_PORT
  free_port; admin=$FREE_PORT
  started=$(now_ms)
  BERTH_JAR=$run_jar BERTH_JAVA_OPTS=$opts BERTH_CLASS_ARCHIVE=$archive BERTH_CACHE_DIR=$DIR/cache "$BENCH_ROOT/bin/berth-proxy" \
    --listen "127.0.0.1:$port" --admin-listen "127.0.0.1:$admin" --docker-host "$DOCKER_URL" \
    --sts-endpoint "$STS_URL" --region us-east-1 --base-role-arn arn:aws:iam::123456789012:role/ \
    --disable-upstream >"$DIR/$name.log" 2>&1 &
  pid=$!
  PIDS+=("$pid")
  deadline=$((SECONDS + 120))
  until is_ready "$admin"; do
    kill -0 "$pid" 2>/dev/null || { log "$name: the daemon exited"; tail -20 "$DIR/$name.log" >&2; exit 1; }
    ((SECONDS < deadline)) || { log "$name: not ready after 120 s"; exit 1; }
    sleep 0.01
  done
  ready_at=$(now_ms)
  # CPU time the daemon used to get there (user + system, its threads included; $pid is the JVM, the launcher execs it).
  cpu=$(sed 's/.*) //' "/proc/$pid/stat" | awk -v hz="$(getconf CLK_TCK)" '{printf "%d", ($12 + $13) * 1000 / hz}')
  if [[ ${THREADS:-0} == 1 ]]; then
    # "ms name", most first; threads of one pool summed (the name without its number).
    for task in /proc/"$pid"/task/*; do
      echo "$(sed 's/.*) //' "$task/stat" | awk -v hz="$(getconf CLK_TCK)" '{printf "%d", ($12 + $13) * 1000 / hz}') $(cat "$task/comm")"
    done 2>/dev/null | awk '{n = $2; for (i = 3; i <= NF; i++) n = n " " $i; sub(/[-#]?[0-9]+$/, "", n); c[n] += $1}
      END {for (n in c) if (c[n] > 0) printf "%6d %s\n", c[n], n}' | sort -rn >"$DIR/$name.threads"
  fi
  # The prefetch of every running container's credentials, which the first request should find done:
  # STS answered for each (berth_credentials_cached counts fetches still in flight too).
  until fetched=$(sts_successes "$admin") && [[ ${fetched:-0} -ge $CONTAINERS ]]; do
    ((SECONDS < deadline)) || { log "$name: credentials not cached after 120 s"; exit 1; }
    sleep 0.05
  done
  cached_at=$(now_ms)
  first=0
  if [[ -z ${DOCKER:-} ]]; then
    first=$(curl -sf -o "$DIR/$name.document" -w '%{time_total}' "http://127.0.0.1:$port$CREDS_PATH")
    grep -q '"AccessKeyId"' "$DIR/$name.document" || { log "$name: no credential document"; exit 1; }
  fi
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  awk -v r=$((ready_at - started)) -v c="$cpu" -v k=$((cached_at - started)) -v f="$first" \
    'BEGIN {printf "%d %d %d %.2f\n", r, c, k, f * 1000}'
}

log "files in $DIR; $CONTAINERS containers on ${DOCKER:-the emulated host}; $ROUNDS rounds"
log "recording the archive (one unmeasured start)"
start_once record 1 >/dev/null
grep 'class-data archive' "$DIR/record.log" >&2 || true
if [[ -n ${ALT_JAR:-} ]]; then
  [[ -f $ALT_JAR ]] || { log "ALT_JAR=$ALT_JAR does not exist"; exit 2; }
  start_once record-alt 1 "${ALT_JAVA_OPTS:-}" "$ALT_JAR" >/dev/null
  grep 'class-data archive' "$DIR/record-alt.log" >&2 || true
fi

declare -A ready cpus cached firsts
printf '%-6s %-11s %9s %17s %15s %17s\n' round archive "ready ms" "cpu ms to ready" "all cached ms" "first request ms"
for ((r = 1; r <= ROUNDS; r++)); do
  for variant in $VARIANTS; do
    case $variant in
      none) read -r ms cpu all first < <(start_once "$variant-$r" 0) ;;
      archive) read -r ms cpu all first < <(start_once "$variant-$r" 1) ;;
      alt)
        [[ -n ${ALT_JAVA_OPTS:-}${ALT_JAR:-} ]] || { log "VARIANTS has alt: set ALT_JAVA_OPTS or ALT_JAR"; exit 2; }
        read -r ms cpu all first < <(start_once "$variant-$r" 1 "${ALT_JAVA_OPTS:-}" "${ALT_JAR:-$jar}") ;;
      *) log "VARIANTS: unknown variant '$variant' (none, archive, alt)"; exit 2 ;;
    esac
    if [[ $variant != none ]] && ! grep -q 'class-data archive: using' "$DIR/$variant-$r.log"; then
      log "start $r did not use the archive:"; grep 'class-data' "$DIR/$variant-$r.log" >&2; exit 1
    fi
    printf '%-6s %-11s %9d %17d %15d %17.2f\n' "$r" "$variant" "$ms" "$cpu" "$all" "$first"
    ready[$variant]+="$ms "
    cpus[$variant]+="$cpu "
    cached[$variant]+="$all "
    firsts[$variant]+="$first "
  done
done

# stats "N N N": median and worst.
stats() {
  tr ' ' '\n' <<<"$1" | grep . | sort -n | awk '{v[NR] = $1} END {
    m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%s %s\n", m, v[NR] }'
}
echo
[[ " $VARIANTS " == *" alt "* ]] && echo "alt: the archive with ALT_JAVA_OPTS=${ALT_JAVA_OPTS:-} ${ALT_JAR:+ALT_JAR=$ALT_JAR}"
echo "bin/berth-proxy to /readyz 200, $CONTAINERS containers synced; $ROUNDS starts each; $(nproc) cores;" \
  "load average $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +%Y-%m-%dT%H:%MZ)"
printf '%-9s %15s %14s %18s %18s %23s %22s\n' archive "ready median" "ready worst" "cpu to ready med." \
  "all cached med." "first request median" "first request worst"
for variant in $VARIANTS; do
  read -r rm rw < <(stats "${ready[$variant]}")
  read -r cm _ < <(stats "${cpus[$variant]}")
  read -r km _ < <(stats "${cached[$variant]}")
  read -r fm fw < <(stats "${firsts[$variant]}")
  printf '%-9s %12s ms %11s ms %15s ms %15s ms %20s ms %19s ms\n' "$variant" "$rm" "$rw" "$cm" "$km" "$fm" "$fw"
done
