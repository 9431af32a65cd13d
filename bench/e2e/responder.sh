#!/usr/bin/env bash
# bench/e2e/responder.sh — our responder (`fcgi echo`) against the C libfcgi and Go echoes,
# behind the same nginx, in ONE run (issue #6). Self-contained, ~12 minutes at default settings.
#
#   bench/e2e/responder.sh [--quick] [--duration S] [--conns "8 64 256"] [--kinds "get post64k"]
#                          [--setups "ours-keep ours-keepall ours-close c2-close go-keep go-keepall go-close"]
#                          [--keepalive N]
#
# Setups (nginx 1 worker, wrk -t2 -cC -dS, loopback, free ports):
#   ours-keep     nginx keepalive (fastcgi_keep_conn on, keepalive N, 32 by default) -> fcgi echo
#   ours-keepall  the same with keepalive = the largest concurrency of the run       -> fcgi echo
#   ours-close    nginx, one FastCGI connection per request                          -> fcgi echo
#   c2-close    nginx, one connection per request -> C libfcgi echo, spawn-fcgi -F 2
#               (the only valid libfcgi mode: with keepalive a process is pinned to one
#               nginx connection and the other wrk connections are never served)
#   go-keep     nginx keepalive -> Go net/http/fcgi echo
#   go-keepall  nginx keepalive = the largest concurrency -> Go echo
#   go-close    nginx, one connection per request -> Go echo
# Why the *-keepall setups: nginx keeps at most N idle upstream connections. With more client
# connections than N (c=64 and 256 against keepalive 32), every request that ends while N are
# idle closes its connection, and the next one opens a new one: about 1 request in 10 paid a
# FastCGI connect, accept and close at c=256 (TIME_WAIT count / requests). A pool as large as
# the concurrency is what a site sized for that load configures; it is given to our echo and
# to Go's alike (C libfcgi cannot use keepalive, see c2-close).
# Kinds: get = GET /x?a=1, post64k = POST of 65,536 bytes echoed back.
#
# All setups run side by side; the cells are interleaved (kind, concurrency, then every setup).
# Per cell: req/s, p50, p99, wrk errors (connect/read/write/status/timeout), nginx error-log
# lines at level error or worse, and for our responder the CPU time of the fcgi process per
# request (utime+stime from /proc/PID/stat over the run / requests): the load-independent figure.
# Then, right after the measured run, a 3-second check run of the same cell samples the app's
# listen backlog (max Recv-Q of its listen socket, 4x/s): it shows whether every wrk connection
# was being served. The sampling is kept out of the measured run because each `ss` stalls a core
# for milliseconds on this VM: sampled 4x/s during the run it raised every setup's p99 at c=8
# from about 1 ms to 6-7.5 ms and cost 15 % of the req/s (docs/benchmarks.md).
# Then one ratio per kind and concurrency: our best setup / the best valid peer setup.
#
# The C echo comes from tests/peers/c-echo.c (built with gcc -lfcgi) or
# /work/shared/peers/build/c-echo; the Go echo from $GO_ECHO or /work/shared/peers/build/go-echo.
# A missing peer is skipped with a message; our part needs only nginx, wrk and dotnet.
# FCGI_CLI=/path/to/fcgi.dll runs another build as "ours" (before/after comparisons).
# Every process is stopped by its PID.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE=$ROOT/bench/e2e
DURATION=10 CONNS="8 64 256" KINDS="get post64k" KEEPALIVE=32
SETUPS="ours-keep ours-keepall ours-close c2-close go-keep go-keepall go-close"
while [[ $# -gt 0 ]]; do
  case $1 in
    --quick) DURATION=3 CONNS="64" ;;
    --duration) DURATION=$2; shift ;;
    --conns) CONNS=$2; shift ;;
    --kinds) KINDS=$2; shift ;;
    --setups) SETUPS=$2; shift ;;
    --keepalive) KEEPALIVE=$2; shift ;;
    *) echo "responder.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

RUN=$(mktemp -d /tmp/fcgi-responder-bench-XXXXXX)
PIDS=()
source "$ROOT/bench/e2e/lib.sh"   # stop_started, cpu_ticks, TICK_US, free_port, wait_port, start_nginx, c_echo
trap stop_started EXIT
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true


# --- what we run ------------------------------------------------------------------------
command -v wrk >/dev/null || { echo "responder.sh: wrk is missing" >&2; exit 1; }
[[ -x $NGINX ]] || { echo "responder.sh: nginx is missing" >&2; exit 1; }
# FCGI_CLI: another build of fcgi.dll, to compare two builds in the same conditions.
CLI=${FCGI_CLI:-$ROOT/src/FcgiActors.Cli/bin/Release/net10.0/fcgi.dll}
[[ -f $CLI ]] || dotnet build "$ROOT/src/FcgiActors.Cli" -c Release -nologo -v:q -clp:ErrorsOnly
CECHO=$(c_echo)   # empty: the c2-* setups are skipped
GOECHO=${GO_ECHO:-/work/shared/peers/build/go-echo}
[[ -x $GOECHO ]] || GOECHO=""
SPAWN=$(command -v spawn-fcgi || true)

# Starts the app of a setup on a free port -> APP_PORT, APP_PIDS (space separated), CPU_PID
start_app() {
  APP_PORT=$(free_port); APP_PIDS=""; CPU_PID=""
  case $1 in
    ours-*)
      dotnet "$CLI" echo --listen "127.0.0.1:$APP_PORT" --log-level Warning 2>"$RUN/ours.log" &
      APP_PIDS=$!; CPU_PID=$APP_PIDS ;;
    c2-*)
      "$SPAWN" -a 127.0.0.1 -p "$APP_PORT" -F 2 -b 1024 -P "$RUN/c2.pid" -- "$CECHO" >/dev/null
      APP_PIDS=$(tr '\n' ' ' < "$RUN/c2.pid") ;;
    go-*)
      "$GOECHO" "127.0.0.1:$APP_PORT" >/dev/null 2>&1 &
      APP_PIDS=$! ;;
  esac
  for pid in $APP_PIDS; do PIDS+=("$pid"); done
  wait_port "$APP_PORT"
}

# wrk with the peers' lua scripts (own copies here) -> one RESULT line
run_wrk() { # URL CONNS KIND SECONDS
  wrk -t2 -c"$2" -d"$4s" --timeout 10s -s "$HERE/wrk/$3.lua" "$1" 2>&1 | grep '^RESULT' || echo "RESULT requests=0"
}
field() { sed -n "s/.* $1=\([0-9.]*\).*/\1/p" <<<" $2"; }
backlog_max() { # PORT SECONDS -> max Recv-Q of the listen socket, sampled 4x/s
  local max=0 q
  for _ in $(seq $(( $2 * 4 ))); do
    q=$(ss -Hltn "( sport = :$1 )" | awk '{print $2}' | sort -n | tail -1)
    (( ${q:-0} > max )) && max=$q
    sleep 0.25
  done
  echo "$max"
}

declare -A RPS P50 P99
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
echo "# responder benchmark — $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load $LOAD0, wrk -t2 -d${DURATION}s, nginx 1 worker, keepalive $KEEPALIVE (*-keepall: $(tr " " "\n" <<<"$CONNS" | sort -n | tail -1))"
echo
echo "| setup | kind | c | req/s | p50 ms | p99 ms | wrk errors c/r/w/s/t | backlog max (check run) | nginx errors | our CPU µs/req | load |"
echo "|---|---|---:|---:|---:|---:|---|---:|---:|---:|---|"
# Every setup is started first and stays up; the cells then run interleaved (for each kind and
# concurrency, every setup in turn), so a load change on the shared machine hits all setups
# alike instead of whichever happened to run during it.
declare -A APP_PORT_OF APP_PIDS_OF CPU_PID_OF NGINX_PORT_OF NGINX_PID_OF
ACTIVE=""
for setup in $SETUPS; do
  case $setup in
    c2-*) [[ -n $CECHO && -n $SPAWN ]] || { echo "| $setup | skipped: no C echo or spawn-fcgi | | | | | | | | | |"; continue; } ;;
    go-*) [[ -n $GOECHO ]] || { echo "| $setup | skipped: no go-echo (run /work/shared/peers/build.sh or set GO_ECHO) | | | | | | | | | |"; continue; } ;;
    ours-*|c2-close) ;;
    *) echo "responder.sh: unknown setup $setup" >&2; exit 2 ;;
  esac
  keep=0; [[ $setup == *-keep ]] && keep=$KEEPALIVE
  [[ $setup == *-keepall ]] && keep=$(tr ' ' '\n' <<<"$CONNS" | sort -n | tail -1)
  start_app "$setup"
  start_nginx "$RUN/nginx-$setup" "server 127.0.0.1:$APP_PORT;" "$keep"
  APP_PORT_OF[$setup]=$APP_PORT; APP_PIDS_OF[$setup]=$APP_PIDS; CPU_PID_OF[$setup]=$CPU_PID
  NGINX_PORT_OF[$setup]=$NGINX_PORT; NGINX_PID_OF[$setup]=$NGINX_PID
  base=http://127.0.0.1:$NGINX_PORT
  # Correctness first: the echo answers, and a 64 KiB body comes back byte for byte.
  curl -fsS "$base/x?check=1" | grep -q "query=check=1" || { echo "responder.sh: $setup: GET check failed" >&2; exit 1; }
  head -c 65536 /dev/urandom > "$RUN/body"
  curl -fsS --data-binary @"$RUN/body" -H 'Content-Type: application/octet-stream' "$base/x?check=2" | tail -c 65536 | cmp -s - "$RUN/body" \
    || { echo "responder.sh: $setup: 64 KiB echo check failed" >&2; exit 1; }
  # Warm-up (JIT, tiered PGO, connection caches): 2 s per kind at the largest concurrency.
  for kind in $KINDS; do run_wrk "$base/x?warm=1" "${CONNS##* }" "$kind" 2 >/dev/null; done
  ACTIVE="$ACTIVE $setup"
done

for kind in $KINDS; do
  for c in $CONNS; do
    for setup in $ACTIVE; do
      base=http://127.0.0.1:${NGINX_PORT_OF[$setup]}
      CPU_PID=${CPU_PID_OF[$setup]}
      : > "$RUN/nginx-$setup/error.log"
      ticks0=0; [[ -n $CPU_PID ]] && ticks0=$(cpu_ticks "$CPU_PID")
      out=$(run_wrk "$base/x?a=1" "$c" "$kind" "$DURATION")
      ticks1=0; [[ -n $CPU_PID ]] && ticks1=$(cpu_ticks "$CPU_PID")
      # The backlog check: its own short run, so that the sampler does not disturb the one measured.
      backlog_max "${APP_PORT_OF[$setup]}" 2 > "$RUN/backlog" &
      sampler=$!
      run_wrk "$base/x?check=1" "$c" "$kind" 3 >/dev/null
      wait "$sampler"
      cpu="-"
      requests=$(field requests "$out")
      if [[ -n $CPU_PID ]] && (( ${requests:-0} > 0 )); then
        cpu=$(awk -v t="$(( ticks1 - ticks0 ))" -v us="$TICK_US" -v n="$requests" 'BEGIN { printf "%.0f", t * us / n }')
      fi
      rps=$(field rps "$out"); p50=$(field p50_us "$out"); p99=$(field p99_us "$out")
      errs="$(field err_connect "$out")/$(field err_read "$out")/$(field err_write "$out")/$(field err_status "$out")/$(field err_timeout "$out")"
      nerr=$(grep -cE '\[(error|crit|alert|emerg)\]' "$RUN/nginx-$setup/error.log" || true)
      RPS[$setup,$kind,$c]=${rps:-0}; P50[$setup,$kind,$c]=${p50:-0}; P99[$setup,$kind,$c]=${p99:-0}
      printf '| %s | %s | %s | %.0f | %.2f | %.2f | %s | %s | %s | %s | %s |\n' "$setup" "$kind" "$c" "${rps:-0}" \
        "$(awk -v v="${p50:-0}" 'BEGIN{print v/1000}')" "$(awk -v v="${p99:-0}" 'BEGIN{print v/1000}')" \
        "$errs" "$(cat "$RUN/backlog")" "$nerr" "$cpu" "$(cut -d' ' -f1 /proc/loadavg)"
    done
  done
done
for setup in $ACTIVE; do
  stop_pid "${NGINX_PID_OF[$setup]}"
  for pid in ${APP_PIDS_OF[$setup]}; do stop_pid "$pid"; done
done

# Ratios: our best setup against the best valid peer, per kind and concurrency.
echo
echo "| kind | c | ours best (setup) | p99 ms | best valid peer (setup) | p99 ms | ratio req/s | p99 lower |"
echo "|---|---:|---|---:|---|---:|---:|---|"
for kind in $KINDS; do
  for c in $CONNS; do
    ob=""; or=0; pb=""; pr=0
    for s in ours-keep ours-keepall ours-close; do
      r=${RPS[$s,$kind,$c]:-0}; awk -v a="$r" -v b="$or" 'BEGIN{exit !(a>b)}' && { or=$r; ob=$s; }
    done
    for s in c2-close go-keep go-keepall go-close; do
      r=${RPS[$s,$kind,$c]:-0}; awk -v a="$r" -v b="$pr" 'BEGIN{exit !(a>b)}' && { pr=$r; pb=$s; }
    done
    [[ -n $ob && -n $pb ]] || { echo "| $kind | $c | ${ob:-none} | | ${pb:-none} | | n/a | |"; continue; }
    awk -v k="$kind" -v c="$c" -v ob="$ob" -v or="$or" -v o99="${P99[$ob,$kind,$c]}" -v pb="$pb" -v pr="$pr" -v p99="${P99[$pb,$kind,$c]}" \
      'BEGIN { printf "| %s | %s | %.0f (%s) | %.2f | %.0f (%s) | %.2f | %.2fx | %s |\n", k, c, or, ob, o99/1000, pr, pb, p99/1000, or/pr, (o99 < p99 ? "yes" : "no") }'
  done
done
echo
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) (at the start: $LOAD0)"
