#!/usr/bin/env bash
# The encryptor's own overhead per `encrypt`, for each path (CopyImage, billing product codes,
# strategy instance), against the EC2 emulator and an emulated encryptor status port: wall time
# minus the emulated AWS durations on the run's critical path, median of REPS runs, with the
# waiters polling every 50 ms. Also the EC2 calls of one run. Loopback only; no AWS account.
#
#   bench/encryptor-overhead.sh [COPY_SECONDS] [STATE_SECONDS] [REPS]
set -euo pipefail
cd "$(dirname "$0")/.."
# One reactor invocation, so the sibling modules resolve to their target/classes (nothing is installed).
./mvnw -B -q -o -pl encryptor-orchestrator -am test-compile dependency:build-classpath -DskipTests \
  -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath
cp="encryptor-orchestrator/target/test-classes:encryptor-orchestrator/target/classes:testing/target/classes:provisioner/target/classes:$(cat encryptor-orchestrator/target/bench.classpath)"
AWS_EC2_METADATA_DISABLED=true AWS_ACCESS_KEY_ID=AKIDBERTHTEST0000000 AWS_SECRET_ACCESS_KEY=berth-bench-secret \
  java -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$cp" \
  dev.berth.encryptor.bench.EncryptOverheadBenchmark "${1:-3}" "${2:-1}" "${3:-3}"
