# bench/probe.sh — ask the daemon without a process (sourced, not run; needs nothing but bash).

# http_status PORT PATH: the status 127.0.0.1:PORT answers GET PATH with (empty if none within 1 s).
# Bash's own /dev/tcp, not curl: start benchmarks poll every 10-20 ms, and a curl process costs ~10 ms
# of CPU (fork, exec, its libraries), up to a quarter of a 2-core machine taken from the start measured.
http_status() {
  local status=""
  { exec 3<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null || return 0
  printf 'GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' "$2" >&3
  read -r -t 1 _ status _ <&3 || true
  exec 3<&-
  echo "$status"
}
