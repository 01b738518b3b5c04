#!/usr/bin/env bash
# bench/soak.sh — the churn soak (issue 10), longer than CI's one-minute ChurnSoakIT.
#
# Inside the Docker lab (scripts/lab/up): SLOTS containers hammer their credentials through the
# packaged daemon (berth-proxy --iptables, bridge guard on) while one is replaced every EVERY seconds
# on a reused address with the other role, for CHURN seconds; then STS answers 503 to everything for
# STS_DOWN seconds; then the daemon is killed with SIGKILL and restarted. Every answer is checked
# against the asking container's role. Prints answers, mismatches, statuses and p99 per phase, and
# the time from kill -9 to the first good answer after the restart. Exits 1 on any mismatch.
#
#   sudo scripts/lab/up && ./mvnw -B -o package -DskipTests && sudo bench/soak.sh
#   sudo CHURN=540 STS_DOWN=60 SLOTS=8 bench/soak.sh          # the default: about 10 minutes
#
# Everything stays in the lab's namespace (no route out) and stops by itself.
set -euo pipefail
cd "$(dirname "$0")/.."
export AWS_EC2_METADATA_DISABLED=true AWS_ACCESS_KEY_ID=AKIDBERTHBENCH000000 AWS_SECRET_ACCESS_KEY=berth-bench-secret
export AWS_REGION=us-east-1

CHURN=${CHURN:-540}
STS_DOWN=${STS_DOWN:-60}
SLOTS=${SLOTS:-8}
EVERY=${EVERY:-2}
NS=${BERTH_LAB_NETNS:-berth-lab}
LAB_DIR=${BERTH_LAB_DIR:-/tmp/berth-lab}
export DOCKER_HOST="unix://$LAB_DIR/docker.sock"
PROXY_JAR=daemon/target/berth-proxy.jar
TESTING_JAR=$(ls testing/target/berth-testing-*.jar 2>/dev/null | grep -v sources | head -n1 || true)

die() { echo "bench: $*" >&2; exit 2; }
[[ $EUID -eq 0 ]] || die "run as root (the lab is a network namespace)"
[[ -e /run/netns/$NS && -S $LAB_DIR/docker.sock ]] || die "the Docker lab is not up: run scripts/lab/up first"
for f in "$PROXY_JAR" "$TESTING_JAR"; do
  [[ -f $f ]] || die "missing ${f:-testing/target/berth-testing-*.jar}: run ./mvnw -B -o package -DskipTests first"
done
DIR=$(mktemp -d "${TMPDIR:-/tmp}/berth-soak.XXXXXX")
trap 'rm -rf "$DIR"' EXIT
cat >"$DIR/BenchSoak.java" <<'JAVA'
import dev.berth.testing.ChurnSoak;
import dev.berth.testing.DockerLab;
import java.nio.file.Path;
import java.time.Duration;

public class BenchSoak {
  public static void main(String[] args) {
    try (DockerLab lab = DockerLab.connect()) {
      ChurnSoak.Report report = ChurnSoak.builder(lab, Path.of(args[0]).toAbsolutePath())
          .churn(Duration.ofSeconds(Long.parseLong(args[1]))).stsDown(Duration.ofSeconds(Long.parseLong(args[2])))
          .slots(Integer.parseInt(args[3])).every(Duration.ofSeconds(Long.parseLong(args[4]))).killDaemon(true).run();
      System.out.print(report);
      System.exit(report.mismatches() == 0 ? 0 : 1);
    }
  }
}
JAVA
echo "churn soak: $SLOTS containers, one replaced every ${EVERY}s for ${CHURN}s, STS down ${STS_DOWN}s, then kill -9; $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ)"
nsenter --net="/run/netns/$NS" -- java -cp "$PROXY_JAR:$TESTING_JAR" "$DIR/BenchSoak.java" \
  "$PROXY_JAR" "$CHURN" "$STS_DOWN" "$SLOTS" "$EVERY" 2> >(grep -v ' DEBUG ' >"$DIR/soak.log")
