#!/usr/bin/env bash
# bench/transparent.sh — the transparent path under load (issue 3, item 4).
#
# Inside the Docker lab (scripts/lab/up): a container on docker0 runs wrk against the plain
# http://169.254.169.254/latest/meta-data/iam/security-credentials/ROLE, which Berth's DNAT rule
# (installed with berth-iptables.jar) steers first to the proxy (credentials cached) and then, same
# rule shape, to nginx (one worker) serving the very bytes the proxy returned. Reports requests/s,
# p50 and p99 of each and their ratios; the time from `docker run` to the first credential document
# inside a fresh container; the proxy's resident memory.
#
#   sudo scripts/lab/up && ./mvnw -B -o package -DskipTests && sudo bench/transparent.sh
#   sudo DURATION=10 CONNECTIONS=32 COLD_RUNS=5 KEEP=1 bench/transparent.sh
#   sudo SERVER_CPUS=1 bench/transparent.sh   # both servers pinned to CPU 1 (taskset), wrk left to the scheduler
#
# Everything stays in the lab's network namespace (no route out) and on its docker0; every wrk run
# is bounded by -d; the rules, containers and processes it started are removed on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
export AWS_EC2_METADATA_DISABLED=true

DURATION=${DURATION:-10}       # seconds per measured wrk run
WARMUP=${WARMUP:-5}            # seconds of unmeasured load before each measured run (JIT, caches)
# Warm-up runs of WARMUP s, each wrk with new connections. Two by default: at the end of the first,
# wrk's connections close for the first time in the JVM's life, and C2's code, compiled from a
# profile in which no connection ever closed, hits paths it assumed never run (-XX:+LogCompilation:
# 45 class and type-check traps and 35 unstable-if ones in Netty's epoll read path and Reactor Netty's handlers
# within a millisecond, then ~500 recompilations over the next second). A daemon on a host sees
# connections close from its first minute; with one warm-up the measured run began in that second.
WARMUP_RUNS=${WARMUP_RUNS:-2}
THREADS=${THREADS:-1}          # wrk -t
CONNECTIONS=${CONNECTIONS:-32} # wrk -c
COLD_RUNS=${COLD_RUNS:-3}      # fresh containers timed from docker run to their first credentials
SERVER_CPUS=${SERVER_CPUS:-}   # e.g. 1: run the proxy and nginx under taskset -c on these CPUs (wrk stays unpinned)
ROLE=bench-role
NS=${BERTH_LAB_NETNS:-berth-lab}
LAB_DIR=${BERTH_LAB_DIR:-/tmp/berth-lab}
export DOCKER_HOST="unix://$LAB_DIR/docker.sock"
JAVA=${JAVA:-java}
PROXY_JAR=daemon/target/berth-proxy.jar
IPTABLES_JAR=iptables/target/berth-iptables.jar
TESTING_JAR=$(ls testing/target/berth-testing-*.jar 2>/dev/null | grep -v sources | head -n1 || true)
IMAGE=berth/busybox:latest
URL="http://169.254.169.254/latest/meta-data/iam/security-credentials/$ROLE"

log() { echo "bench: $*" >&2; }
die() { log "$*"; exit 2; }
[[ $EUID -eq 0 ]] || die "run as root (the lab is a network namespace)"
[[ -e /run/netns/$NS && -S $LAB_DIR/docker.sock ]] || die "the Docker lab is not up: run scripts/lab/up first"
for f in "$PROXY_JAR" "$IPTABLES_JAR" "$TESTING_JAR"; do
  [[ -f $f ]] || die "missing ${f:-testing/target/berth-testing-*.jar}: run ./mvnw -B -o package -DskipTests first"
done
for tool in wrk nginx curl docker nsenter; do command -v "$tool" >/dev/null || die "$tool is not installed"; done

# Background processes are started with nsenter itself (not through this function) so that $! is
# the process: nsenter --net execs its command, and kill $! stops it rather than an idle subshell.
IN_LAB=(nsenter --net="/run/netns/$NS" --)
PIN=()
[[ -n $SERVER_CPUS ]] && PIN=(taskset -c "$SERVER_CPUS")
lab() { "${IN_LAB[@]}" "$@"; }
DIR=$(mktemp -d "${TMPDIR:-/tmp}/berth-transparent.XXXXXX")
chmod 755 "$DIR"
PIDS=()
CONTAINERS=()
cleanup() {
  set +e
  "$JAVA" -jar "$IPTABLES_JAR" remove --netns "$NS" >/dev/null 2>&1 || log "could not remove the rules: run java -jar $IPTABLES_JAR remove --netns $NS"
  ((${#CONTAINERS[@]})) && docker rm -f "${CONTAINERS[@]}" >/dev/null 2>&1
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null; done
  if [[ ${KEEP:-0} == 1 ]]; then log "kept $DIR"; else rm -rf "$DIR"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# 1. The STS and metadata emulators, on the lab's loopback.
cat >"$DIR/BenchEmulators.java" <<'JAVA'
import dev.berth.testing.MetadataEmulator;
import dev.berth.testing.StsEmulator;

public class BenchEmulators {
  public static void main(String[] args) throws Exception {
    StsEmulator sts = StsEmulator.builder().host("127.0.0.1").start();
    MetadataEmulator metadata = MetadataEmulator.builder().host("127.0.0.1").start();
    System.out.println(sts.endpoint() + " " + metadata.endpoint());
    Thread.currentThread().join();
  }
}
JAVA
"${IN_LAB[@]}" "$JAVA" -cp "$PROXY_JAR:$TESTING_JAR" "$DIR/BenchEmulators.java" >"$DIR/emulators.out" 2>"$DIR/emulators.log" &
PIDS+=($!)
# Their stdout may carry a logging library's own lines too: the endpoints are the line of two URLs.
endpoints() { grep -E '^http://[^ ]+ http://[^ ]+$' "$DIR/emulators.out" | head -n1; }
for _ in $(seq 1 300); do [[ -n $(endpoints) ]] && break; sleep 0.1; done
read -r STS_URL UPSTREAM_URL < <(endpoints) || die "the emulators did not start: $(tail -n3 "$DIR/emulators.log")"

# 2. The proxy, its own JVM (so that its RSS is its own), listening on every lab address.
pick_port() { local p; for p in $(seq "$1" $(($1 + 200))); do lab bash -c "exec 3<>/dev/tcp/127.0.0.1/$p" 2>/dev/null || { echo "$p"; return; }; done; die "no free port near $1"; }
PROXY_PORT=$(pick_port 18200)
ADMIN_PORT=$(pick_port $((PROXY_PORT + 1)))
NGINX_PORT=$(pick_port $((ADMIN_PORT + 1)))
GATEWAY=$(docker network inspect bridge -f '{{(index .IPAM.Config 0).Gateway}}')
# Through the launcher, so with the production JVM flags (BERTH_JAVA_OPTS adds to them).
AWS_ACCESS_KEY_ID=AKIDBERTHBENCH000000 AWS_SECRET_ACCESS_KEY=berth-bench-secret AWS_REGION=us-east-1 \
  "${IN_LAB[@]}" "${PIN[@]}" bin/berth-proxy --listen "0.0.0.0:$PROXY_PORT" --admin-listen "127.0.0.1:$ADMIN_PORT" \
  --docker-host "$DOCKER_HOST" --sts-endpoint "$STS_URL" --upstream "$UPSTREAM_URL" --region us-east-1 \
  --base-role-arn "arn:aws:iam::123456789012:role/" >"$DIR/proxy.log" 2>&1 &
PROXY_PID=$!
PIDS+=("$PROXY_PID")
for _ in $(seq 1 300); do lab curl -fs "http://127.0.0.1:$ADMIN_PORT/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
lab curl -fs "http://127.0.0.1:$ADMIN_PORT/readyz" >/dev/null || die "the proxy is not ready: $(tail -n5 "$DIR/proxy.log")"

steer_to() { "$JAVA" -jar "$IPTABLES_JAR" install --netns "$NS" -i docker0 --proxy-address "$GATEWAY" --proxy-port "$1" >/dev/null; }
steer_to "$PROXY_PORT"

# 3. From docker run to the first credential document, in fresh containers.
cold=()
base=()
for i in $(seq 1 "$COLD_RUNS"); do
  name="berth-bench-cold-$$-$i"
  CONTAINERS+=("$name" "$name-base")
  t0=$(date +%s%N)
  t1=$(docker run --rm --name "$name" -e IAM_ROLE="$ROLE" -v /:/host:ro "$IMAGE" sh -c \
    "until wget -q -O /dev/null '$URL' 2>/dev/null; do usleep 5000; done; chroot /host /usr/bin/date +%s%N")
  cold+=($(((t1 - t0) / 1000000)))
  # Baseline: the same container doing nothing but printing the time, so Docker's own start-up
  # (vfs storage in the lab) can be told apart from the credential path.
  t0=$(date +%s%N)
  t1=$(docker run --rm --name "$name-base" -v /:/host:ro "$IMAGE" chroot /host /usr/bin/date +%s%N)
  base+=($(((t1 - t0) / 1000000)))
done

# 4. The load container, and the exact bytes the proxy serves it, for nginx.
LOAD="berth-bench-load-$$"
CONTAINERS+=("$LOAD")
docker run -d --name "$LOAD" -e IAM_ROLE="$ROLE" -v /:/host:ro "$IMAGE" sleep 3600 >/dev/null
mkdir -p "$DIR/www/latest/meta-data/iam/security-credentials"
for _ in $(seq 1 100); do
  docker exec "$LOAD" chroot /host /usr/bin/curl -fs "$URL" >"$DIR/www/latest/meta-data/iam/security-credentials/$ROLE" && break
  sleep 0.1
done
[[ -s $DIR/www/latest/meta-data/iam/security-credentials/$ROLE ]] || die "the container got no credentials through the rule"
chmod -R a+rX "$DIR/www"
cat >"$DIR/nginx.conf" <<NGINX
worker_processes 1;
daemon off;
pid $DIR/nginx.pid;
error_log $DIR/nginx.error.log;
events { worker_connections 1024; }
http {
  access_log off;
  keepalive_requests 1000000;
  default_type text/plain;
  server { listen 0.0.0.0:$NGINX_PORT; root $DIR/www; }
}
NGINX
"${IN_LAB[@]}" "${PIN[@]}" nginx -p "$DIR" -c "$DIR/nginx.conf" &
PIDS+=($!)
for _ in $(seq 1 100); do lab curl -fs -o /dev/null "http://127.0.0.1:$NGINX_PORT/latest/meta-data/iam/security-credentials/$ROLE" && break; sleep 0.1; done

# 5. wrk through the rule: the proxy, then nginx behind the same rule.
wrk_in() { docker exec "$LOAD" chroot /host /usr/bin/wrk -t"$THREADS" -c"$CONNECTIONS" -d"$1"s --latency "$URL"; }
to_ms() { awk '{ v = $1; if (v ~ /us$/) { sub(/us$/, "", v); v /= 1000 } else if (v ~ /ms$/) { sub(/ms$/, "", v) } else if (v ~ /s$/) { sub(/s$/, "", v); v *= 1000 } printf "%.2f", v }'; }
measure() { # $1 name: runs the warm-ups then a measured run; sets RPS_$1 P50_$1 P99_$1
  local run
  for ((run = 1; run <= WARMUP_RUNS; run++)); do wrk_in "$WARMUP" >/dev/null; done
  wrk_in "$DURATION" >"$DIR/wrk-$1.txt"
  grep -q 'Non-2xx' "$DIR/wrk-$1.txt" && die "$1 answered errors under load: $(cat "$DIR/wrk-$1.txt")"
  printf -v "RPS_$1" '%s' "$(awk '/^Requests\/sec:/ { print $2 }' "$DIR/wrk-$1.txt")"
  printf -v "P50_$1" '%s' "$(awk '$1 == "50%" { print $2 }' "$DIR/wrk-$1.txt" | to_ms)"
  printf -v "P99_$1" '%s' "$(awk '$1 == "99%" { print $2 }' "$DIR/wrk-$1.txt" | to_ms)"
}
measure proxy
steer_to "$NGINX_PORT"
measure nginx

RSS=$(awk '/^VmRSS/ { print int($2 / 1024) }' "/proc/$PROXY_PID/status")
HWM=$(awk '/^VmHWM/ { print int($2 / 1024) }' "/proc/$PROXY_PID/status")
median() { printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

echo "transparent path: wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s (after $WARMUP_RUNS x ${WARMUP}s warm-up) inside a container on docker0"
echo "  GET $URL, DNAT to $GATEWAY:<port> by Berth's rule"
printf '  %-7s %12s %10s %10s\n' target 'requests/s' 'p50 ms' 'p99 ms'
printf '  %-7s %12s %10s %10s\n' nginx "$RPS_nginx" "$P50_nginx" "$P99_nginx" proxy "$RPS_proxy" "$P50_proxy" "$P99_proxy"
awk -v rp="$RPS_proxy" -v rn="$RPS_nginx" -v pp="$P99_proxy" -v pn="$P99_nginx" 'BEGIN {
  printf "  ratio   throughput proxy/nginx %.2f (target >= 0.8), p99 proxy/nginx %.2f (target <= 2)\n", rp / rn, pp / pn }'
echo "docker run -> first credentials inside the container: median $(median "${cold[@]}") ms (runs: ${cold[*]} ms);" \
  "docker run -> a bare command: median $(median "${base[@]}") ms (runs: ${base[*]} ms)"
echo "proxy resident memory: ${RSS} MiB now, ${HWM} MiB peak (VmRSS/VmHWM of pid $PROXY_PID)"
