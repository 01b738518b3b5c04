#!/usr/bin/env bash
# Converge a group of SIZE (default 500) instances against the EC2 emulator with the Berth group
# controller, and the same number InfraKit's way (one RunInstances + one CreateTags per instance),
# in one JVM run. Prints a Markdown table: call counts, DescribeInstances pages per round, and the
# median time to converge over REPS (default 3) runs. Loopback only; no AWS account is touched.
#
#   bench/provisioner-converge.sh [SIZE] [REPS]
set -euo pipefail
cd "$(dirname "$0")/.."
size="${1:-500}"
reps="${2:-3}"
./mvnw -B -q -o -f testing/pom.xml install -DskipTests
./mvnw -B -q -o -f provisioner/pom.xml test-compile
./mvnw -B -q -o -f provisioner/pom.xml dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile=target/bench.classpath
cp="provisioner/target/test-classes:provisioner/target/classes:$(cat provisioner/target/bench.classpath)"
AWS_EC2_METADATA_DISABLED=true AWS_ACCESS_KEY_ID=AKIDBERTHTEST0000000 AWS_SECRET_ACCESS_KEY=berth-bench-secret \
  java -Xmx2g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$cp" \
  dev.berth.provisioner.bench.ConvergeBenchmark "$size" "$reps"
