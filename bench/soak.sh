#!/usr/bin/env bash
# bench/soak.sh — the churn soak (issue 10), longer than CI's one-minute ChurnSoakIT.
#
# Inside the Docker lab (scripts/lab/up): SLOTS containers hammer their credentials through the
# packaged daemon (berth-proxy --iptables, bridge guard on) while one is replaced every EVERY seconds
# on a reused address with the other role, for CHURN seconds; then the lab's Docker engine is stopped,
# left down ENGINE_GAP seconds and started again (scripts/lab/engine restart: its containers die with
# it and come back by their restart policy, on addresses it hands out afresh), then killed with SIGKILL
# and started again after ENGINE_GAP seconds (scripts/lab/engine crash: no event goes out, the
# containers keep running until the new engine kills them and starts them again); then STS answers 503 to
# everything for STS_DOWN seconds; then the daemon is killed with SIGKILL and restarted. Every answer
# is checked against the asking container's role. Prints answers, mismatches, statuses and errors by
# kind (refused, timeout, reset, empty, curl-N) and p99 per phase, the time from the restarted engine
# answering to every container answered its own role, the daemon's resyncs on reconnecting, and the
# time from kill -9 to the first good answer after the restart. Exits 1 on any mismatch.
#
#   sudo scripts/lab/up && ./mvnw -B -o package -DskipTests && sudo bench/soak.sh
#   sudo CHURN=540 STS_DOWN=60 SLOTS=8 ENGINE_GAP=10 bench/soak.sh   # the default: about 10 minutes
#   sudo ENGINE_GAP=-1 bench/soak.sh                                 # without the engine's restarts
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
ENGINE_GAP=${ENGINE_GAP:-10}
NS=${BERTH_LAB_NETNS:-berth-lab}
LAB_DIR=${BERTH_LAB_DIR:-/tmp/berth-lab}
# scripts/lab/engine restarts this lab's engine.
export BERTH_LAB_NETNS=$NS BERTH_LAB_DIR=$LAB_DIR
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
trap '[[ ${KEEP:-0} == 1 ]] && echo "kept $DIR" || rm -rf "$DIR"' EXIT
cat >"$DIR/BenchSoak.java" <<'JAVA'
import dev.berth.testing.ChurnSoak;
import dev.berth.testing.DockerLab;
import java.nio.file.Path;
import java.time.Duration;

public class BenchSoak {
  public static void main(String[] args) {
    try (DockerLab lab = DockerLab.connect()) {
      ChurnSoak soak = ChurnSoak.builder(lab, Path.of(args[0]).toAbsolutePath())
          .churn(Duration.ofSeconds(Long.parseLong(args[1]))).stsDown(Duration.ofSeconds(Long.parseLong(args[2])))
          .slots(Integer.parseInt(args[3])).every(Duration.ofSeconds(Long.parseLong(args[4]))).killDaemon(true);
      long gap = Long.parseLong(args[5]);
      if (gap >= 0) {
        soak.restartEngine(Path.of("scripts/lab/engine").toAbsolutePath(), Duration.ofSeconds(gap))
            .crashEngine(Path.of("scripts/lab/engine").toAbsolutePath(), Duration.ofSeconds(gap));
      }
      ChurnSoak.Report report = soak.run();
      System.out.print(report);
      System.exit(report.mismatches() == 0 ? 0 : 1);
    }
  }
}
JAVA
# The soak's own JVM logs (docker-java, Netty) at INFO on stderr, into soak.log; the report is on stdout.
cat >"$DIR/logback.xml" <<'XML'
<configuration>
  <appender name="err" class="ch.qos.logback.core.ConsoleAppender">
    <target>System.err</target>
    <encoder><pattern>%d{HH:mm:ss.SSS} %-5level %logger{0} - %msg%n</pattern></encoder>
  </appender>
  <root level="INFO"><appender-ref ref="err"/></root>
</configuration>
XML
echo "churn soak: $SLOTS containers, one replaced every ${EVERY}s for ${CHURN}s, engine restart and crash (down ${ENGINE_GAP}s each), STS down ${STS_DOWN}s, then kill -9; $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ)"
echo "load before: $(uptime)"
# The machine's load once a minute while it runs (the figures depend on it).
( while sleep 60; do echo "load: $(uptime)"; done ) & LOAD=$!
trap 'kill $LOAD 2>/dev/null; [[ ${KEEP:-0} == 1 ]] && echo "kept $DIR" || rm -rf "$DIR"' EXIT
nsenter --net="/run/netns/$NS" -- java -Dlogback.configurationFile="$DIR/logback.xml" -cp "$PROXY_JAR:$TESTING_JAR" "$DIR/BenchSoak.java" \
  "$PROXY_JAR" "$CHURN" "$STS_DOWN" "$SLOTS" "$EVERY" "$ENGINE_GAP" 2> >(grep -v ' DEBUG ' >"$DIR/soak.log")
