# bench/daemon-lib.sh — the real daemon with groups and jobs against EmulatedHost (sourced after lib.sh).
#
# Shared by daemon-load.sh and startup.sh: EmulatedHost with its STS, Docker engine and EC2
# emulators, the daemon through bin/berth-proxy in its normal mode with --groups-dir,
# --encryptor-state-dir and --ec2-endpoint, and small helpers over its /metrics and control API.
# Everything stays on 127.0.0.1; the EC2 emulator never reaches AWS.

export AWS_ACCESS_KEY_ID=AKIDBERTHTEST0000000 AWS_SECRET_ACCESS_KEY=berth-test-secret AWS_REGION=us-east-1
unset AWS_SESSION_TOKEN AWS_PROFILE

EC2_PENDING=${EC2_PENDING:-20}    # seconds an emulated instance stays pending
EC2_COPY=${EC2_COPY:-30}          # seconds an emulated snapshot or image copy stays pending
EC2_SHUTDOWN=${EC2_SHUTDOWN:-5}   # seconds an emulated instance stays shutting-down
BASE_ROLE_ARN=arn:aws:iam::123456789012:role/
CREDS_PATH=/latest/meta-data/iam/security-credentials/role-0

command -v jq >/dev/null || { echo "bench: jq is not installed" >&2; exit 2; }
DAEMON_JAR=$BENCH_ROOT/daemon/target/berth-proxy.jar
TESTING_CLASSES=$BENCH_ROOT/testing/target/classes
if [[ ! -f $DAEMON_JAR || ! -f $TESTING_CLASSES/dev/berth/testing/EmulatedHost.class ]]; then
  log "missing $DAEMON_JAR or $TESTING_CLASSES/dev/berth/testing/EmulatedHost.class; build both first:"
  log "  ./mvnw -B -q -o -DskipTests -DskipITs install -pl testing,daemon -am"
  exit 2
fi
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java

# metric NAME ADMIN_PORT: the value of an untagged gauge on the daemon's /metrics, as an integer (-1: none).
metric() {
  { curl -sf --max-time 2 "http://127.0.0.1:$2/metrics" || true; } | awk -v m="$1" '$1 == m {printf "%d\n", $2; found = 1} END {if (!found) print -1}'
}

# start_host NAME CONTAINERS [READY_URL]: EmulatedHost with the EC2 emulator; with READY_URL its
# containers start once that answers 200, without one they run before it reports ready.
# Sets HOST_PID, HOST_OUT, STS_URL, DOCKER_HOST_URL, EC2_URL.
start_host() {
  local name=$1 size=$2 ready=${3:-} deadline=$((SECONDS + 60))
  HOST_OUT=$BENCH_DIR/$name.out
  "$JAVA" -XX:+UseSerialGC -Xmx512m -cp "$DAEMON_JAR:$TESTING_CLASSES" dev.berth.testing.EmulatedHost \
    --ec2 "$EC2_PENDING,$EC2_COPY,$EC2_SHUTDOWN" "$BENCH_DIR/$name.sock" "$size" $ready \
    >"$HOST_OUT" 2>"$BENCH_DIR/$name.log" &
  HOST_PID=$!
  BENCH_PIDS+=("$HOST_PID")
  until grep -q '^ready ' "$HOST_OUT"; do
    alive "$HOST_PID" "$name"
    ((SECONDS < deadline)) || { log "EmulatedHost did not report ready"; exit 1; }
    sleep 0.2
  done
  STS_URL=$(sed -n 's/^ready .*sts=\([^ ]*\).*/\1/p' "$HOST_OUT")
  DOCKER_HOST_URL=$(sed -n 's/^ready .*docker=\([^ ]*\).*/\1/p' "$HOST_OUT")
  EC2_URL=$(sed -n 's/^ready .*ec2=\([^ ]*\).*/\1/p' "$HOST_OUT")
}

# ec2_calls: the EC2 emulator's total calls so far (its latest report, at most a second old).
ec2_calls() {
  awk '$1 == "ec2-calls" {n = $2} END {print n + 0}' "$HOST_OUT"
}

# ec2_breakdown FROM_TOTAL: the calls by action since the report whose total was FROM_TOTAL's.
ec2_breakdown() {
  awk -v from="$1" '$1 == "ec2-calls" {
      if (!base_set && $2 >= from) { for (i = 3; i <= NF; i++) { split($i, kv, "="); base[kv[1]] = kv[2] }; base_set = 1 }
      last = $0 }
    END {
      n = split(last, f, " "); out = ""
      for (i = 3; i <= n; i++) { split(f[i], kv, "="); d = kv[2] - base[kv[1]]; if (d > 0) out = out kv[1] "=" d " " }
      print (out == "" ? "none" : out) }' "$HOST_OUT"
}

# daemon_args PORT ADMIN UPSTREAM_PORT [with-pipelines]: the daemon's command line.
daemon_args() {
  DAEMON_ARGS=(--listen "127.0.0.1:$1" --admin-listen "127.0.0.1:$2"
    --docker-host "$DOCKER_HOST_URL" --sts-endpoint "$STS_URL" --region us-east-1
    --base-role-arn "$BASE_ROLE_ARN" --upstream "http://127.0.0.1:$3")
  if [[ ${4:-} == with-pipelines ]]; then
    mkdir -p "$BENCH_DIR/groups" "$BENCH_DIR/jobs"
    DAEMON_ARGS+=(--groups-dir "$BENCH_DIR/groups" --encryptor-state-dir "$BENCH_DIR/jobs"
      --ec2-endpoint "$EC2_URL" --ec2-poll-interval "$EC2_POLL" --max-instances "$GROUP_SIZE")
  fi
}

# await_filled SIZE ADMIN_PORT: until the index holds SIZE containers and the cache SIZE credentials.
await_filled() {
  local size=$1 admin=$2 deadline=$((SECONDS + 180)) indexed cached
  while :; do
    indexed=$(metric berth_containers "$admin")
    cached=$(metric berth_credentials_cached "$admin")
    [[ $indexed == "$size" && $cached == "$size" ]] && return 0
    alive "$PROXY_PID" proxy
    alive "$HOST_PID" host
    if ((SECONDS > deadline)); then
      log "after 180 s the daemon has $indexed containers indexed and $cached credentials cached, not $size"
      exit 1
    fi
    sleep 0.5
  done
}

# group_spec ID SIZE TAG: an InfraKit group spec (the provisioner's example, in us-east-1).
group_spec() {
  jq -cn --arg id "$1" --argjson size "$2" --arg tag "$3" '{ID: $id, Properties: {
    Allocation: {Size: $size},
    Instance: {Plugin: "aws/ec2-instance", Properties: {
      RunInstancesInput: {ImageId: "ami-4926fd29", KeyName: "bench", InstanceType: "t3.micro",
        Placement: {AvailabilityZone: "us-east-1a"}, SecurityGroupIds: ["sg-57411931"]},
      Tags: {Name: "berth-bench", round: $tag}}},
    Flavor: {Plugin: "vanilla", Properties: {Init: ["sh -c \"echo hello > /hello\""]}}}}'
}

# api METHOD PATH ADMIN_PORT [BODY]: a control API call; prints the body, fails on a status >= 400.
api() {
  local method=$1 path=$2 admin=$3 body=${4:-}
  if [[ -n $body ]]; then
    curl -sf --max-time 30 -X "$method" -H 'Content-Type: application/json' --data "$body" "http://127.0.0.1:$admin$path"
  else
    curl -sf --max-time 30 -X "$method" "http://127.0.0.1:$admin$path"
  fi || { log "$method $path failed: $(curl -s -X "$method" ${body:+--data "$body"} "http://127.0.0.1:$admin$path")"; return 1; }
}

# group_state ID ADMIN_PORT: "status running/desired outOfDate" of a group.
group_state() {
  api GET "/v1/groups/$1" "$2" | jq -r '"\(.status) \(.running)/\(.desired) \(.outOfDate)"'
}

# job_state ID ADMIN_PORT: "state [phase percent%]" of an encryption job (phase once it reports one).
job_state() {
  api GET "/v1/encryptions/$1" "$2" | jq -r '.state + (if .phase then " \(.phase) \(.percent)%" else "" end)'
}
