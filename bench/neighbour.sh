#!/usr/bin/env bash
# bench/neighbour.sh — a victim's latency while a neighbour floods the proxy (issue 10).
#
# Inside the Docker lab (scripts/lab/up), the daemon as a host runs it (bin/berth-proxy --iptables):
# the victim container asks for its credentials with wrk -t1 -c$VICTIM_C (4); the neighbour container, in the
# flood rounds, at the same time runs wrk -t1 -c1000 against its own credentials (four times its
# --max-connections-per-caller: the rest are closed on accept and reconnect). Quiet and flood rounds
# alternate ROUNDS times; reports the victim's p99 and throughput in each, and the ratio of the medians
# (target: victim p99 under flood <= 2 x quiet). Both containers share the 2 cores with the proxy.
#
#   sudo scripts/lab/up && ./mvnw -B -o package -DskipTests && sudo bench/neighbour.sh
set -euo pipefail
DURATION=${DURATION:-10}   # seconds per measured run
WARMUP=${WARMUP:-10}       # seconds of unmeasured load on the victim first (JIT)
ROUNDS=${ROUNDS:-3}
FLOOD=${FLOOD:-1000}       # the neighbour's connections
VICTIM_C=${VICTIM_C:-4}    # the victim's connections
source "$(dirname "$0")/lab-lib.sh"

start_daemon
VICTIM="berth-victim-$$"
NEIGHBOUR="berth-neighbour-$$"
load_container "$VICTIM" victim-role
load_container "$NEIGHBOUR" neighbour-role
VICTIM_URL="http://169.254.169.254/latest/meta-data/iam/security-credentials/victim-role"
NEIGHBOUR_URL="http://169.254.169.254/latest/meta-data/iam/security-credentials/neighbour-role"

wrk_in "$VICTIM" "$WARMUP" "$VICTIM_C" "$VICTIM_URL" >/dev/null
wrk_in "$NEIGHBOUR" "$WARMUP" 64 "$NEIGHBOUR_URL" >/dev/null
p99_q=(); p99_f=(); rps_q=(); rps_f=()
printf '%-6s %-7s %12s %14s %16s\n' round victim 'req/s' 'p99 ms' 'neighbour req/s'
for r in $(seq 1 "$ROUNDS"); do
  wrk_in "$VICTIM" "$DURATION" "$VICTIM_C" "$VICTIM_URL" >"$DIR/quiet-$r.txt"
  rps_q+=("$(rps_of "$DIR/quiet-$r.txt")"); p99_q+=("$(p99_of "$DIR/quiet-$r.txt")")
  printf '%-6s %-7s %12.0f %14s %16s\n' "$r" quiet "${rps_q[-1]}" "${p99_q[-1]}" -
  # The flood starts first and outlasts the victim's run by a second on each side.
  wrk_in "$NEIGHBOUR" $((DURATION + 2)) "$FLOOD" "$NEIGHBOUR_URL" >"$DIR/flood-$r.txt" 2>&1 &
  flood=$!
  sleep 1
  wrk_in "$VICTIM" "$DURATION" "$VICTIM_C" "$VICTIM_URL" >"$DIR/victim-$r.txt"
  wait "$flood" || true
  grep -q 'Non-2xx' "$DIR/victim-$r.txt" && die "the victim got errors during the flood: $(cat "$DIR/victim-$r.txt")"
  rps_f+=("$(rps_of "$DIR/victim-$r.txt")"); p99_f+=("$(p99_of "$DIR/victim-$r.txt")")
  printf '%-6s %-7s %12.0f %14s %16.0f\n' "$r" flood "${rps_f[-1]}" "${p99_f[-1]}" "$(rps_of "$DIR/flood-$r.txt")"
done
echo
echo "a neighbour's flood, $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ): victim wrk -t1 -c$VICTIM_C -d${DURATION}s, neighbour wrk -t1 -c$FLOOD"
awk -v pq="$(median "${p99_q[@]}")" -v pf="$(median "${p99_f[@]}")" -v rq="$(median "${rps_q[@]}")" -v rf="$(median "${rps_f[@]}")" 'BEGIN {
  printf "  victim medians: quiet %.0f req/s, p99 %.2f ms; under flood %.0f req/s, p99 %.2f ms\n", rq, pq, rf, pf
  printf "  ratio under flood / quiet: p99 %.2f (target <= 2), throughput %.2f\n", pf / pq, rf / rq }'
grep -c "refused\|per-caller\|most one caller" "$DIR/proxy.log" | xargs -I{} echo "  daemon log lines about the flood: {}"
