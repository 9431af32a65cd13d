#!/usr/bin/env bash
# bench/e2e/responder-memory.sh — the two memory figures of issue #6 for `fcgi echo`, ~1 minute.
#
#   bench/e2e/responder-memory.sh [--post-mib N] [--idle N]
#
# 1. A 1 GiB POST streamed through nginx (location /stream/: fastcgi_request_buffering off,
#    fastcgi_buffering off) to `fcgi echo` and echoed back to curl; the echo's peak RSS is
#    VmHWM from /proc/PID/status (target < 100 MiB). The echo keeps the first MiB of a body in
#    memory and the rest in a temporary file, so memory stays bounded by the windows.
# 2. 10,000 idle kept-alive connections: a Python client opens them one by one, sends one
#    request with FCGI_KEEP_CONN on each, reads its END_REQUEST and leaves the connection
#    open; RSS of the echo before and after (target: delta < 200 MiB).
# Loopback only, free ports, every process stopped by its PID. Needs nginx, curl, python3, dotnet.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
POST_MIB=1024 IDLE=10000
while [[ $# -gt 0 ]]; do
  case $1 in
    --post-mib) POST_MIB=$2; shift ;;
    --idle) IDLE=$2; shift ;;
    *) echo "responder-memory.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

RUN=$(mktemp -d /tmp/fcgi-responder-mem-XXXXXX)
PIDS=()
source "$ROOT/bench/e2e/lib.sh"   # stop_started, free_port, wait_port, start_nginx
trap stop_started EXIT
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
kib() { awk -v k="$1" '/^'"$1"':/ {print $2}' "/proc/$2/status"; }

CLI=$ROOT/src/FcgiActors.Cli/bin/Release/net10.0/fcgi.dll
[[ -f $CLI ]] || dotnet build "$ROOT/src/FcgiActors.Cli" -c Release -nologo -v:q -clp:ErrorsOnly

start_echo() { # -> ECHO_PORT, ECHO_PID
  ECHO_PORT=$(free_port)
  cat > "$RUN/echo.conf" <<CONF
fcgi.responder { max-connections = $(( IDLE + 1000 )), max-concurrent-requests = $(( IDLE + 1000 )) }
CONF
  dotnet "$CLI" echo --listen "127.0.0.1:$ECHO_PORT" --config "$RUN/echo.conf" --log-level Warning & ECHO_PID=$!
  PIDS+=("$ECHO_PID")
  wait_port "$ECHO_PORT"
}

echo "# responder memory — $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo

# --- 1: a large POST, streamed -------------------------------------------------------------
start_echo
start_nginx "$RUN/nginx" "server 127.0.0.1:$ECHO_PORT;" 0   # /stream/: no buffering either way
RSS0=$(kib VmRSS "$ECHO_PID")
start=$(date +%s.%N)
# A sparse file of zeros (no disk blocks); curl -T streams it with a Content-Length, where
# --data-binary would first read all of it into curl's memory.
truncate -s "$(( POST_MIB * 1024 * 1024 ))" "$RUN/big"
got=$(curl -sS -X POST -T "$RUN/big" -H 'Content-Type: application/octet-stream' -H 'Expect:' "http://127.0.0.1:$NGINX_PORT/stream/big" | wc -c)
secs=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
HWM=$(kib VmHWM "$ECHO_PID")
expected=$(( POST_MIB * 1024 * 1024 ))
body_ok=no; (( got > expected && got < expected + 200 )) && body_ok=yes
echo "| 1 GiB POST through nginx /stream/ | value |"
echo "|---|---:|"
echo "| body posted | $POST_MIB MiB |"
echo "| bytes received back (body + echo header) | $got (complete: $body_ok) |"
echo "| wall time | $secs s |"
echo "| fcgi echo RSS before | $(( RSS0 / 1024 )) MiB |"
echo "| fcgi echo peak RSS (VmHWM) | **$(( HWM / 1024 )) MiB** (target < 100) |"
echo "| nginx error-log lines | $(grep -cE '\[(error|crit|alert|emerg)\]' "$RUN/nginx/error.log" || true) |"
stop_pid "$NGINX_PID"
stop_pid "$ECHO_PID"

# --- 2: idle kept-alive connections --------------------------------------------------------
start_echo
cat > "$RUN/idle.py" <<'PY'
import socket, struct, sys, time
port, count = int(sys.argv[1]), int(sys.argv[2])
def record(rtype, rid, content=b""):
    pad = (8 - len(content) % 8) % 8
    return struct.pack(">BBHHBB", 1, rtype, rid, len(content), pad, 0) + content + b"\0" * pad
def pair(name, value):
    return bytes([len(name), len(value)]) + name + value
params = pair(b"REQUEST_METHOD", b"GET") + pair(b"QUERY_STRING", b"idle=1") + pair(b"SERVER_PROTOCOL", b"HTTP/1.1")
request = (record(1, 1, struct.pack(">HB5x", 1, 1))   # BEGIN_REQUEST, RESPONDER, FCGI_KEEP_CONN
           + record(4, 1, params) + record(4, 1) + record(5, 1))
def serve(sock):
    sock.sendall(request)
    data = b""
    while True:
        while len(data) >= 8:
            _, rtype, _, length, pad, _ = struct.unpack(">BBHHBB", data[:8])
            if len(data) < 8 + length + pad:
                break
            data = data[8 + length + pad:]
            if rtype == 3:  # END_REQUEST
                return
        chunk = sock.recv(65536)
        if not chunk:
            raise SystemExit("connection closed before END_REQUEST")
        data += chunk
socks = []
for _ in range(count):
    s = socket.create_connection(("127.0.0.1", port))
    serve(s)
    socks.append(s)
print("open", flush=True)
sys.stdin.readline()   # hold them until told
for s in socks:
    s.close()
PY
# Warm the echo up with the same request on a few connections, so JIT and pools are in place.
python3 "$RUN/idle.py" "$ECHO_PORT" 50 </dev/null >/dev/null
sleep 1
RSS0=$(kib VmRSS "$ECHO_PID")
mkfifo "$RUN/hold"
python3 "$RUN/idle.py" "$ECHO_PORT" "$IDLE" < "$RUN/hold" > "$RUN/idle.out" &
PY_PID=$!; PIDS+=("$PY_PID")
exec 7>"$RUN/hold"
for _ in $(seq 600); do grep -q open "$RUN/idle.out" 2>/dev/null && break; kill -0 "$PY_PID" 2>/dev/null || break; sleep 0.1; done
grep -q open "$RUN/idle.out" || { echo "responder-memory.sh: the idle client failed" >&2; exit 1; }
sleep 2
RSS1=$(kib VmRSS "$ECHO_PID")
ESTAB=$(ss -Htn state established "( sport = :$ECHO_PORT )" | wc -l)
echo
echo "| $IDLE idle kept-alive connections | value |"
echo "|---|---:|"
echo "| established connections to the echo | $ESTAB |"
echo "| fcgi echo RSS before / with them open | $(( RSS0 / 1024 )) MiB / $(( RSS1 / 1024 )) MiB |"
echo "| RSS delta | **$(( (RSS1 - RSS0) / 1024 )) MiB** ($(( (RSS1 - RSS0) * 1024 / IDLE )) B per connection; target < 200 MiB) |"
echo done >&7; exec 7>&-
wait "$PY_PID" 2>/dev/null || true
echo
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
