# scripts/lab/engine.sh — how the lab starts its dockerd; sourced by scripts/lab/up and
# scripts/lab/engine so that a restarted engine is started exactly as the first one.
# Expects NS, DIR, SOCK and DOCKER_BIN to be set, and log/die functions.

# The pid of the lab's dockerd, from its pidfile; fails when none runs.
dockerd_pid() {
  local pid
  [[ -s "$DIR/docker.pid" ]] || return 1
  pid="$(cat "$DIR/docker.pid")"
  [[ -n "$pid" && -d "/proc/$pid" ]] || return 1
  grep -q dockerd "/proc/$pid/comm" 2>/dev/null || return 1
  echo "$pid"
}

docker_ok() { timeout 10 "$DOCKER_BIN" info >/dev/null 2>&1; }

# Starts dockerd inside the namespace, detached; sets $launcher to the launcher's pid.
start_dockerd() {
  log "starting dockerd in $NS (log: $DIR/dockerd.log)"
  rm -f "$DIR/docker.pid"
  # setsid + nohup: the daemon outlives this script and the caller's terminal/session.
  setsid nohup nsenter --net="/run/netns/$NS" dockerd \
    --storage-driver=vfs \
    --data-root "$DIR/data" \
    --exec-root "$DIR/exec" \
    --pidfile "$DIR/docker.pid" \
    -H "unix://$SOCK" \
    --bip 198.18.0.1/24 \
    </dev/null >>"$DIR/dockerd.log" 2>&1 &
  launcher=$!
}

# Waits until dockerd answers on $SOCK, at most $TIMEOUT seconds.
await_dockerd() {
  local deadline=$(( $(date +%s) + TIMEOUT ))
  until docker_ok; do
    if (( $(date +%s) >= deadline )); then
      tail -n 30 "$DIR/dockerd.log" >&2 || true
      die "dockerd did not answer on $SOCK within ${TIMEOUT}s (log above: $DIR/dockerd.log)"
    fi
    if [[ -n "${launcher:-}" ]] && ! kill -0 "$launcher" 2>/dev/null && ! dockerd_pid >/dev/null; then
      tail -n 30 "$DIR/dockerd.log" >&2 || true
      die "dockerd exited during start-up (log above: $DIR/dockerd.log)"
    fi
    sleep 0.2
  done
}
