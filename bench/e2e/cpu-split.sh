#!/usr/bin/env bash
# bench/e2e/cpu-split.sh — where the CPU of one request goes, process by process, for the
# setups the issue #4 and #6 ratios compare. About 3 minutes.
#
#   bench/e2e/cpu-split.sh [--duration S] [--rounds R] [--conns N] [--parts "responder proxy proxy-unix"]
#
# On this 2-core machine wrk, nginx and the application share the cores, so a throughput ratio
# between two applications is bounded by what nginx and wrk spend per request, which no
# application can lower. This script measures that directly: for each setup it runs
# wrk -t2 -cN -dS and reports, per request served, the CPU time (utime + stime from /proc) of
# the application, of the nginx worker, of wrk itself, their total, and the machine's idle
# share over the run (idle near 0: CPU-bound, the total sets the throughput; idle well above
# 0: latency-bound).
#
# Parts:
#   responder   nginx (keepalive = N) -> `fcgi echo`, and -> the Go net/http/fcgi echo,
#               GET small and POST 64 KiB (the *-keepall setups of responder.sh)
#   proxy       nginx -> 2 C libfcgi echoes (a new connection per request), and
#               nginx (keepalive) -> `fcgi proxy` -> 2 C echoes (one kept connection each),
#               as proxy.sh runs them, over loopback TCP
#   proxy-unix  the same two over Unix domain sockets (nginx -> app, proxy -> backends)
#
# Loopback and a private run directory only, every process stopped by its PID.
# Needs: nginx, wrk, GNU time (/usr/bin/time), dotnet, a C echo (as proxy.sh), and for the
# responder part the Go echo of the peers harness (GO_ECHO, default /work/shared/peers/build/go-echo).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE=$ROOT/bench/e2e
DURATION=8 ROUNDS=2 CONNS=64 PARTS="responder proxy proxy-unix"
while [[ $# -gt 0 ]]; do
  case $1 in
    --duration) DURATION=$2; shift ;;
    --rounds) ROUNDS=$2; shift ;;
    --conns) CONNS=$2; shift ;;
    --parts) PARTS=$2; shift ;;
    *) echo "cpu-split.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

RUN=$(mktemp -d /tmp/fcgi-cpu-split-XXXXXX)
PIDS=()
source "$HERE/lib.sh"   # stop_pid, stop_started, cpu_ticks, TICK_US, free_port, wait_port, start_nginx, c_echo
trap stop_started EXIT
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

command -v wrk >/dev/null || { echo "cpu-split.sh: wrk is missing" >&2; exit 1; }
[[ -x /usr/bin/time ]] || { echo "cpu-split.sh: GNU time (/usr/bin/time) is missing" >&2; exit 1; }
CLI=${FCGI_CLI:-$ROOT/src/FcgiActors.Cli/bin/Release/net10.0/fcgi.dll}
[[ -f $CLI ]] || dotnet build "$ROOT/src/FcgiActors.Cli" -c Release -nologo -v:q -clp:ErrorsOnly
CECHO=$(c_echo)
[[ -n $CECHO ]] || { echo "cpu-split.sh: no C echo (tests/peers/c-echo.c, gcc and libfcgi-dev)" >&2; exit 1; }
GOECHO=${GO_ECHO:-/work/shared/peers/build/go-echo}

idle_ticks() { awk '/^cpu / {print $5 + $6}' /proc/stat; }
wait_socket() { for _ in $(seq 300); do [[ -S $1 ]] && return 0; sleep 0.05; done; echo "cpu-split.sh: no socket at $1" >&2; return 1; }
nginx_worker() { pgrep -P "$1" | head -1; }

# measure LABEL URL LUA "NAME=PID ..." -> one table row
measure() {
  local label=$1 url=$2 lua=$3 procs=$4 p name pid i0 i1 n rps row total wu ws
  declare -A t0
  for p in $procs; do t0[$p]=$(cpu_ticks "${p#*=}"); done
  i0=$(idle_ticks)
  /usr/bin/time -f "%U %S" -o "$RUN/wrk.time" \
    wrk -t2 -c"$CONNS" -d"${DURATION}s" --timeout 10s ${lua:+-s "$HERE/wrk/$lua.lua"} "$url" > "$RUN/wrk.out" 2>&1
  i1=$(idle_ticks)
  if [[ -n $lua ]]; then
    n=$(sed -n 's/.*requests=\([0-9]*\).*/\1/p' "$RUN/wrk.out"); rps=$(sed -n 's/.* rps=\([0-9.]*\).*/\1/p' "$RUN/wrk.out")
  else
    n=$(awk '/requests in/ {print $1}' "$RUN/wrk.out"); rps=$(awk '/Requests\/sec/ {print $2}' "$RUN/wrk.out")
  fi
  (( ${n:-0} > 0 )) || { echo "| $label | no requests served | | | | | |"; return; }
  row="| $label | $(printf '%.0f' "$rps")"
  total=0; local app=""
  for p in $procs; do
    name=${p%%=*}; pid=${p#*=}
    local us; us=$(awk -v t="$(( $(cpu_ticks "$pid") - ${t0[$p]} ))" -v n="$n" -v u="$TICK_US" 'BEGIN { printf "%.0f", t * u / n }')
    total=$(( total + us ))
    app="$app${app:+ + }$name $us"
  done
  read -r wu ws < "$RUN/wrk.time"
  local wrk_us; wrk_us=$(awk -v a="$wu" -v b="$ws" -v n="$n" 'BEGIN { printf "%.0f", (a + b) * 1e6 / n }')
  total=$(( total + wrk_us ))
  echo "$row | $app | $wrk_us | $total | $(awk -v d="$(( i1 - i0 ))" -v s="$DURATION" -v c="$(nproc)" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.0f", 100 * d / (hz * s * c) }') |"
}

header() {
  echo
  echo "### $1 (wrk -t2 -c$CONNS -d${DURATION}s, $(date -u +%H:%M) UTC, load $(cut -d' ' -f1-3 /proc/loadavg))"
  echo
  echo "| setup | req/s | CPU µs/request, process by process | wrk µs/req | total µs/req | idle % |"
  echo "|---|---:|---|---:|---:|---:|"
}

echo "# cpu-split — $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, rounds $ROUNDS"

for part in $PARTS; do
  case $part in
    responder)
      [[ -x $GOECHO ]] || { echo "cpu-split.sh: no Go echo at $GOECHO (run /work/shared/peers/build.sh or set GO_ECHO)" >&2; continue; }
      P1=$(free_port); dotnet "$CLI" echo --listen "127.0.0.1:$P1" --log-level Warning & OURS=$!; PIDS+=("$OURS")
      P2=$(free_port); "$GOECHO" "127.0.0.1:$P2" >/dev/null 2>&1 & GO=$!; PIDS+=("$GO")
      wait_port "$P1"; wait_port "$P2"
      start_nginx "$RUN/n-ours" "server 127.0.0.1:$P1;" "$CONNS"; NO=$NGINX_PORT; WO=$(nginx_worker "$NGINX_PID")
      start_nginx "$RUN/n-go" "server 127.0.0.1:$P2;" "$CONNS"; NG=$NGINX_PORT; WG=$(nginx_worker "$NGINX_PID")
      for kind in get post64k; do
        for port in "$NO" "$NG"; do wrk -t2 -c"$CONNS" -d3s -s "$HERE/wrk/$kind.lua" "http://127.0.0.1:$port/x?warm=1" >/dev/null; done
      done
      for kind in get post64k; do
        header "Responder, $kind, nginx keepalive $CONNS"
        for r in $(seq "$ROUNDS"); do
          measure "ours-keepall r$r" "http://127.0.0.1:$NO/x?a=1" "$kind" "fcgi=$OURS nginx=$WO"
          measure "go-keepall r$r" "http://127.0.0.1:$NG/x?a=1" "$kind" "go=$GO nginx=$WG"
        done
      done
      ;;
    proxy|proxy-unix)
      unix=""; [[ $part == proxy-unix ]] && unix=1
      addr() { if [[ -n $unix ]]; then echo "$RUN/$1.sock"; else echo "127.0.0.1:$(free_port)"; fi; }
      up() { if [[ -n $unix ]]; then wait_socket "$1"; else wait_port "${1##*:}"; fi; }
      ngx() { if [[ -n $unix ]]; then echo "unix:$1"; else echo "$1"; fi; }
      D1=$(addr "$part-d1"); D2=$(addr "$part-d2"); B1=$(addr "$part-b1"); B2=$(addr "$part-b2"); FP=$(addr "$part-front")
      "$CECHO" "$D1" 1024 >/dev/null 2>&1 & E1=$!; "$CECHO" "$D2" 1024 >/dev/null 2>&1 & E2=$!
      "$CECHO" "$B1" 1024 >/dev/null 2>&1 & E3=$!; "$CECHO" "$B2" 1024 >/dev/null 2>&1 & E4=$!
      PIDS+=("$E1" "$E2" "$E3" "$E4")
      for a in "$D1" "$D2" "$B1" "$B2"; do up "$a"; done
      cat > "$RUN/$part.conf" <<CONF
fcgi.proxy {
  default-pool = c
  pools { c { backends = ["$(ngx "$B1")", "$(ngx "$B2")"], multiplexing = off, max-connections-per-backend = 1, max-concurrency = 1024 } }
}
CONF
      dotnet "$CLI" proxy --listen "$(ngx "$FP")" --config "$RUN/$part.conf" --log-level Warning & PX=$!; PIDS+=("$PX")
      up "$FP"
      start_nginx "$RUN/n-$part-direct" "server $(ngx "$D1"); server $(ngx "$D2");" 0; ND=$NGINX_PORT; WD=$(nginx_worker "$NGINX_PID")
      start_nginx "$RUN/n-$part-proxy" "server $(ngx "$FP");" 1024; NP=$NGINX_PORT; WP=$(nginx_worker "$NGINX_PID")
      wrk -t2 -c"$CONNS" -d3s "http://127.0.0.1:$ND/x?warm=1" >/dev/null
      wrk -t2 -c"$CONNS" -d8s "http://127.0.0.1:$NP/x?warm=1" >/dev/null   # tier-1 JIT settles in ~8 s
      header "Proxy, GET small, $([[ -n $unix ]] && echo "Unix domain sockets" || echo "loopback TCP")"
      for r in $(seq "$ROUNDS"); do
        measure "direct r$r" "http://127.0.0.1:$ND/x?a=1" "" "nginx=$WD echo=$E1 echo=$E2"
        measure "proxied r$r" "http://127.0.0.1:$NP/x?a=1" "" "nginx=$WP fcgi=$PX echo=$E3 echo=$E4"
      done
      ;;
    *) echo "cpu-split.sh: unknown part $part" >&2; exit 2 ;;
  esac
done
