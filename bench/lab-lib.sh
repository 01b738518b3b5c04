# bench/lab-lib.sh — shared parts of the benchmarks that run the daemon in the Docker lab (sourced).
#
# Requires root and a running lab (scripts/lab/up). Starts the STS emulator on the lab's loopback and
# the daemon as a host runs it (bin/berth-proxy --iptables, bridge guard on); everything it started
# (processes, containers) is stopped by the EXIT trap. Everything stays in the lab's namespace.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export AWS_EC2_METADATA_DISABLED=true

NS=${BERTH_LAB_NETNS:-berth-lab}
LAB_DIR=${BERTH_LAB_DIR:-/tmp/berth-lab}
export DOCKER_HOST="unix://$LAB_DIR/docker.sock"
JAVA=${JAVA:-java}
PROXY_JAR=daemon/target/berth-proxy.jar
TESTING_JAR=$(ls testing/target/berth-testing-*.jar 2>/dev/null | grep -v sources | head -n1 || true)
IMAGE=berth/busybox:latest
ROLE=bench-role
URL="http://169.254.169.254/latest/meta-data/iam/security-credentials/$ROLE"

log() { echo "bench: $*" >&2; }
die() { log "$*"; exit 2; }
[[ $EUID -eq 0 ]] || die "run as root (the lab is a network namespace)"
[[ -e /run/netns/$NS && -S $LAB_DIR/docker.sock ]] || die "the Docker lab is not up: run scripts/lab/up first"
for f in "$PROXY_JAR" "$TESTING_JAR"; do
  [[ -f $f ]] || die "missing ${f:-testing/target/berth-testing-*.jar}: run ./mvnw -B -o package -DskipTests first"
done
for tool in wrk curl docker nsenter nft; do command -v "$tool" >/dev/null || die "$tool is not installed"; done

IN_LAB=(nsenter --net="/run/netns/$NS" --)
lab() { "${IN_LAB[@]}" "$@"; }
DIR=$(mktemp -d "${TMPDIR:-/tmp}/berth-bench.XXXXXX")
PIDS=()
CONTAINERS=()
cleanup() {
  set +e
  ((${#CONTAINERS[@]})) && docker rm -f "${CONTAINERS[@]}" >/dev/null 2>&1
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null; done
  if [[ ${KEEP:-0} == 1 ]]; then log "kept $DIR"; else rm -rf "$DIR"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# start_daemon: the STS emulator, then the daemon on port 18290 (admin 18291); returns once its rules are in.
start_daemon() {
  cat >"$DIR/BenchSts.java" <<'JAVA'
public class BenchSts {
  public static void main(String[] args) throws Exception {
    System.out.println(dev.berth.testing.StsEmulator.builder().host("127.0.0.1").start().endpoint());
    Thread.currentThread().join();
  }
}
JAVA
  lab "$JAVA" -cp "$PROXY_JAR:$TESTING_JAR" "$DIR/BenchSts.java" >"$DIR/sts.out" 2>"$DIR/sts.log" &
  PIDS+=($!)
  local sts
  for _ in $(seq 1 300); do [[ -s $DIR/sts.out ]] && break; sleep 0.1; done
  read -r sts <"$DIR/sts.out" || die "the STS emulator did not start: $(tail -n3 "$DIR/sts.log")"
  AWS_ACCESS_KEY_ID=AKIDBERTHBENCH000000 AWS_SECRET_ACCESS_KEY=berth-bench-secret AWS_REGION=us-east-1 \
    "${IN_LAB[@]}" bin/berth-proxy --iptables --listen 0.0.0.0:18290 --admin-listen 127.0.0.1:18291 \
    --docker-host "$DOCKER_HOST" --sts-endpoint "$sts" --disable-upstream --region us-east-1 \
    --base-role-arn "arn:aws:iam::123456789012:role/" "$@" >"$DIR/proxy.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 600); do grep -q "iptables: metadata traffic on" "$DIR/proxy.log" && break; sleep 0.1; done
  grep -q "iptables: metadata traffic on" "$DIR/proxy.log" || die "the daemon did not start: $(tail -n5 "$DIR/proxy.log")"
}

# load_container NAME [ROLE]: a container with the host root mounted, answered its credentials; echoes NAME.
load_container() {
  local name=$1 role=${2:-$ROLE}
  CONTAINERS+=("$name")
  docker run -d --name "$name" -e IAM_ROLE="$role" -v /:/host:ro "$IMAGE" sleep 3600 >/dev/null
  local url="http://169.254.169.254/latest/meta-data/iam/security-credentials/$role"
  for _ in $(seq 1 200); do docker exec "$name" chroot /host /usr/bin/curl -fs -o /dev/null "$url" && return 0; sleep 0.1; done
  die "$name got no credentials"
}

# wrk_in CONTAINER SECONDS CONNECTIONS [URL]: one bounded wrk run from inside CONTAINER.
wrk_in() { docker exec "$1" chroot /host /usr/bin/wrk -t1 -c"$3" -d"$2"s --latency "${4:-$URL}"; }
to_ms() { awk '{ v = $1; if (v ~ /us$/) { sub(/us$/, "", v); v /= 1000 } else if (v ~ /ms$/) { sub(/ms$/, "", v) } else if (v ~ /s$/) { sub(/s$/, "", v); v *= 1000 } printf "%.2f", v }'; }
rps_of() { awk '/^Requests\/sec:/ { print $2 }' "$1"; }
p99_of() { awk '$1 == "99%" { print $2 }' "$1" | to_ms; }
median() { printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
