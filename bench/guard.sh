#!/usr/bin/env bash
# bench/guard.sh — what the bridge guard costs (issue 12).
#
# Inside the Docker lab (scripts/lab/up): the daemon runs as a host runs it (bin/berth-proxy
# --iptables, the bridge guard on), against the STS emulator on the lab's loopback. It reports
#  1. the time from `docker run -d` to the container's port being bound (its veth in the guard's
#     set), and from `docker run` to the first credential document inside the container;
#  2. the credential path under load — wrk inside a bound container on docker0 against the plain
#     http://169.254.169.254/.../ROLE — with the guard holding 1,000 bindings (the load container's
#     own and GUARD_BINDINGS-1 made up ones) against the same run with the guard's table deleted,
#     alternating ROUNDS times; the ratio of the medians.
#
#   sudo scripts/lab/up && ./mvnw -B -o package -DskipTests && sudo bench/guard.sh
#   sudo DURATION=10 ROUNDS=3 GUARD_BINDINGS=1000 COLD_RUNS=5 bench/guard.sh
#
# Everything stays in the lab's network namespace (no route out); every wrk run is bounded by -d;
# the daemon's clean stop removes its rules and the guard; containers and processes are removed on exit.
DURATION=${DURATION:-10}             # seconds per measured wrk run
WARMUP=${WARMUP:-10}                 # seconds of unmeasured load first (JIT)
ROUNDS=${ROUNDS:-3}                  # measured runs per variant, alternating
CONNECTIONS=${CONNECTIONS:-32}       # wrk -c (one thread)
GUARD_BINDINGS=${GUARD_BINDINGS:-1000}
COLD_RUNS=${COLD_RUNS:-5}
source "$(dirname "$0")/lab-lib.sh"

# 1. The daemon with --iptables (guard on).
start_daemon --max-packets-per-caller 0   # the guard alone: no kernel per-source limits

bound_ports() { lab nft list set bridge berth ports | tr -d '\n\t ' | sed -n 's/.*elements={\(.*\)}.*/\1/p' | tr ',' '\n' | grep -c . || true; }

# 2. docker run -> bound, and docker run -> first credentials.
bound_ms=()
cred_ms=()
base_ms=()
for i in $(seq 1 "$COLD_RUNS"); do
  name="berth-guard-cold-$$-$i"
  CONTAINERS+=("$name" "$name-creds" "$name-base")
  before=$(bound_ports)
  t0=$(date +%s%N)
  docker run -d --name "$name" -e IAM_ROLE="$ROLE" "$IMAGE" sleep 600 >/dev/null
  until (( $(bound_ports) > before )); do :; done
  bound_ms+=($((($(date +%s%N) - t0) / 1000000)))
  docker rm -f "$name" >/dev/null
  t0=$(date +%s%N)
  t1=$(docker run --rm --name "$name-creds" -e IAM_ROLE="$ROLE" -v /:/host:ro "$IMAGE" sh -c \
    "until chroot /host /usr/bin/curl -fs -o /dev/null '$URL'; do usleep 5000; done; chroot /host /usr/bin/date +%s%N")
  cred_ms+=($(((t1 - t0) / 1000000)))
  t0=$(date +%s%N)
  t1=$(docker run --rm --name "$name-base" -v /:/host:ro "$IMAGE" chroot /host /usr/bin/date +%s%N)
  base_ms+=($(((t1 - t0) / 1000000)))
done

# 3. The load container, bound by the daemon; then made-up bindings up to GUARD_BINDINGS.
LOAD="berth-guard-load-$$"
load_container "$LOAD"
extra=$((GUARD_BINDINGS - $(bound_ports)))
awk -v n="$extra" 'BEGIN {
  for (i = 0; i < n; i++) {
    a = int(i / 250); b = i % 250 + 1
    port = sprintf("\"bench%05d\"", i); mac = sprintf("02:00:00:00:%02x:%02x", a, b)
    ip4 = sprintf("198.19.%d.%d", a, b); ip6 = sprintf("fd00:bb::%x:%x", a, b)
    printf "add element bridge berth port_mac { %s . %s }\n", port, mac
    printf "add element bridge berth port_ip4 { %s . %s }\n", port, ip4
    printf "add element bridge berth port_ip6 { %s . %s }\n", port, ip6
    printf "add element bridge berth claimed_mac { %s }\n", mac
    printf "add element bridge berth claimed_ip4 { %s }\n", ip4
    printf "add element bridge berth claimed_ip6 { %s }\n", ip6
    printf "add element bridge berth ports { %s }\n", port
  } }' >"$DIR/extra.nft"
lab nft -f "$DIR/extra.nft"
log "guard holds $(bound_ports) bindings"
lab nft list table bridge berth >"$DIR/guard.nft"

# 4. Alternating runs: guard with GUARD_BINDINGS bindings, then no guard table.
with_guard() { lab nft list table bridge berth >/dev/null 2>&1 || lab nft -f "$DIR/guard.nft"; }
without_guard() { lab nft delete table bridge berth 2>/dev/null || true; }
wrk_in "$LOAD" "$WARMUP" "$CONNECTIONS" >/dev/null
rps_g=(); p99_g=(); rps_n=(); p99_n=()
printf '%-6s %-14s %10s %9s %9s\n' round variant 'req/s' 'p50 ms' 'p99 ms'
for r in $(seq 1 "$ROUNDS"); do
  for variant in guard none; do
    if [[ $variant == guard ]]; then with_guard; else without_guard; fi
    wrk_in "$LOAD" "$DURATION" "$CONNECTIONS" >"$DIR/wrk-$r-$variant.txt"
    grep -q 'Non-2xx' "$DIR/wrk-$r-$variant.txt" && die "errors under load: $(cat "$DIR/wrk-$r-$variant.txt")"
    rps=$(rps_of "$DIR/wrk-$r-$variant.txt")
    p50=$(awk '$1 == "50%" { print $2 }' "$DIR/wrk-$r-$variant.txt" | to_ms)
    p99=$(p99_of "$DIR/wrk-$r-$variant.txt")
    printf '%-6s %-14s %10.0f %9s %9s\n' "$r" "$([[ $variant == guard ]] && echo "guard $GUARD_BINDINGS" || echo 'no guard')" "$rps" "$p50" "$p99"
    if [[ $variant == guard ]]; then rps_g+=("$rps"); p99_g+=("$p99"); else rps_n+=("$rps"); p99_n+=("$p99"); fi
  done
done
with_guard

echo
echo "bridge guard, $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ): wrk -t1 -c$CONNECTIONS -d${DURATION}s x $ROUNDS inside a bound container"
awk -v rg="$(median "${rps_g[@]}")" -v rn="$(median "${rps_n[@]}")" -v pg="$(median "${p99_g[@]}")" -v pn="$(median "${p99_n[@]}")" \
    -v n="$GUARD_BINDINGS" 'BEGIN {
  printf "  medians: guard with %d bindings %.0f req/s, p99 %.2f ms; no guard %.0f req/s, p99 %.2f ms\n", n, rg, pg, rn, pn
  printf "  ratio guard/no guard: throughput %.3f (target >= 0.95), p99 %.2f\n", rg / rn, pg / pn }'
echo "docker run -d -> port bound: median $(median "${bound_ms[@]}") ms (runs: ${bound_ms[*]} ms)"
echo "docker run -> first credentials inside the container: median $(median "${cred_ms[@]}") ms (runs: ${cred_ms[*]});" \
  "a bare docker run: median $(median "${base_ms[@]}") ms (runs: ${base_ms[*]})"
