#!/usr/bin/env bash
# bench/e2e/proxy.sh — end-to-end numbers for `fcgi proxy`, self-contained, < 3 minutes.
#
#   bench/e2e/proxy.sh [--duration S] [--conns N]
#
# 1. nginx -> C libfcgi echo (2 processes, 2 ports)                  direct baseline
# 2. nginx -> fcgi proxy -> the same 2 C echo processes              the proxy's cost
#    (wrk -t2 -cN -dS, GET small, nginx 1 worker; median of one run each, same machine, same run)
# 3. 1,000 concurrent requests (wrk -c1000, sleep=200 ms each) through nginx -> fcgi proxy ->
#    one `fcgi echo` (our multiplexing responder); counts the proxy's backend connections with
#    `ss` and samples the proxy's RSS during the run.
#
# Loopback only, free ports chosen at run time, every process stopped by its PID.
# Needs: nginx, wrk, gcc + libfcgi-dev (or a built c-echo), dotnet, ss (iproute2).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
DURATION=10 CONNS=64
while [[ $# -gt 0 ]]; do
  case $1 in
    --duration) DURATION=$2; shift ;;
    --conns) CONNS=$2; shift ;;
    *) echo "proxy.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

RUN=$(mktemp -d /tmp/fcgi-proxy-bench-XXXXXX)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  rm -rf "$RUN"
}
trap cleanup EXIT
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true


source "$ROOT/bench/e2e/lib.sh"

# --- what we run ------------------------------------------------------------------------
CLI=$ROOT/src/FcgiActors.Cli/bin/Release/net10.0/fcgi.dll
[[ -f $CLI ]] || dotnet build "$ROOT/src/FcgiActors.Cli" -c Release -nologo -v:q -clp:ErrorsOnly
CECHO=${FCGI_TEST_C_ECHO:-$ROOT/.build/peers/c-echo}
if [[ ! -x $CECHO ]]; then
  if [[ -f $ROOT/tests/peers/c-echo.c ]]; then
    mkdir -p "$ROOT/.build/peers"; gcc -O2 -o "$ROOT/.build/peers/c-echo" "$ROOT/tests/peers/c-echo.c" -lfcgi
    CECHO=$ROOT/.build/peers/c-echo
  elif [[ -x /work/shared/peers/build/c-echo ]]; then
    CECHO=/work/shared/peers/build/c-echo
  else
    echo "proxy.sh: no C echo (tests/peers/c-echo.c)" >&2; exit 1
  fi
fi


run_wrk() { # URL CONNS -> prints "rps p50_ms p99_ms errors"
  local out
  out=$(wrk -t2 -c"$2" -d"${DURATION}s" --latency --timeout 30s "$1" 2>&1)
  local rps p50 p99 errs
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  errs=$(awk '/Non-2xx|Socket errors/ {printf "%s ", $0}' <<<"$out")
  echo "$rps $p50 $p99 ${errs:-none}"
}

to_ms() { awk -v v="$1" 'BEGIN { if (v ~ /us$/) { sub(/us/,"",v); print v/1000 } else if (v ~ /ms$/) { sub(/ms/,"",v); print v } else if (v ~ /s$/) { sub(/s/,"",v); print v*1000 } else print v }'; }

echo "# fcgi proxy benchmark — $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, wrk -t2 -c$CONNS -d${DURATION}s"

# --- 1 + 2: C echo direct vs through the proxy ---------------------------------------------
E1=$(free_port); E2=$(free_port)
"$CECHO" "127.0.0.1:$E1" 1024 >/dev/null 2>&1 & PIDS+=($!)
"$CECHO" "127.0.0.1:$E2" 1024 >/dev/null 2>&1 & PIDS+=($!)
wait_port "$E1"; wait_port "$E2"

start_nginx "$RUN/nginx-direct" "server 127.0.0.1:$E1; server 127.0.0.1:$E2;" 0
curl -fsS "http://127.0.0.1:$NGINX_PORT/x?check=1" | grep -q "query=check=1" || { echo "proxy.sh: direct echo check failed" >&2; exit 1; }
read -r D_RPS D_P50 D_P99 D_ERR < <(run_wrk "http://127.0.0.1:$NGINX_PORT/x?a=1" "$CONNS")

P=$(free_port)
cat > "$RUN/c.conf" <<CONF
fcgi.proxy {
  default-pool = c
  pools { c { backends = ["127.0.0.1:$E1", "127.0.0.1:$E2"], multiplexing = off, max-connections-per-backend = 1, max-concurrency = 1024 } }
}
CONF
dotnet "$CLI" proxy --listen "127.0.0.1:$P" --config "$RUN/c.conf" --log-level Warning & PIDS+=($!)
wait_port "$P"
start_nginx "$RUN/nginx-viaproxy" "server 127.0.0.1:$P;" 1024
curl -fsS "http://127.0.0.1:$NGINX_PORT/x?check=2" | grep -q "query=check=2" || { echo "proxy.sh: proxied echo check failed" >&2; exit 1; }
wrk -t2 -c"$CONNS" -d2s "http://127.0.0.1:$NGINX_PORT/x?warm=1" >/dev/null 2>&1   # JIT warm-up
read -r X_RPS X_P50 X_P99 X_ERR < <(run_wrk "http://127.0.0.1:$NGINX_PORT/x?a=1" "$CONNS")

D50=$(to_ms "$D_P50"); X50=$(to_ms "$X_P50")
echo
echo "| path | req/s | p50 ms | p99 | errors |"
echo "|---|---:|---:|---:|---|"
echo "| nginx -> C echo (2 procs) direct | $D_RPS | $D50 | $D_P99 | $D_ERR |"
echo "| nginx -> fcgi proxy -> C echo (2 procs) | $X_RPS | $X50 | $X_P99 | $X_ERR |"
awk -v d="$D_RPS" -v x="$X_RPS" -v d50="$D50" -v x50="$X50" 'BEGIN { printf "\nratio req/s proxy/direct = %.2f (target >= 0.85); p50 added = %.2f ms (target <= 0.3)\n", x/d, x50-d50 }'

# --- 3: 1,000 concurrent front requests, our multiplexing responder -----------------------
B=$(free_port); P2=$(free_port)
dotnet "$CLI" echo --listen "127.0.0.1:$B" --log-level Warning & PIDS+=($!)
wait_port "$B"
cat > "$RUN/mpx.conf" <<CONF
fcgi.proxy {
  default-pool = echo
  pools { echo { backends = ["127.0.0.1:$B"], multiplexing = auto, max-connections-per-backend = 4,
                 max-requests-per-connection = 256, max-concurrency = 1024, queue-size = 1024 } }
}
fcgi.responder { max-connections = 4096 }
CONF
dotnet "$CLI" proxy --listen "127.0.0.1:$P2" --config "$RUN/mpx.conf" --log-level Warning & PROXY2=$!; PIDS+=($PROXY2)
wait_port "$P2"
start_nginx "$RUN/nginx-mpx" "server 127.0.0.1:$P2;" 1024
curl -fsS "http://127.0.0.1:$NGINX_PORT/x?check=3" | grep -q "query=check=3" || { echo "proxy.sh: multiplexed echo check failed" >&2; exit 1; }
RSS0=$(awk '/VmRSS/ {print $2}' "/proc/$PROXY2/status")
( max_b=0; max_f=0; max_rss=0
  for _ in $(seq $(( DURATION * 4 ))); do
    b=$(ss -Htn state established "( dport = :$B )" | wc -l)
    f=$(ss -Htn state established "( sport = :$P2 )" | wc -l)
    r=$(awk '/VmRSS/ {print $2}' "/proc/$PROXY2/status" 2>/dev/null || echo 0)
    (( b > max_b )) && max_b=$b; (( f > max_f )) && max_f=$f; (( r > max_rss )) && max_rss=$r
    sleep 0.25
  done
  echo "$max_b $max_f $max_rss" > "$RUN/sample" ) &
SAMPLER=$!
read -r M_RPS M_P50 M_P99 M_ERR < <(run_wrk "http://127.0.0.1:$NGINX_PORT/x?sleep=200" 1000)
wait "$SAMPLER"
read -r MAX_B MAX_F MAX_RSS < "$RUN/sample"
echo
echo "| 1,000 concurrent (wrk -c1000, sleep=200 ms) | value |"
echo "|---|---:|"
echo "| req/s | $M_RPS |"
echo "| p50 / p99 | $M_P50 / $M_P99 |"
echo "| errors | $M_ERR |"
echo "| front connections nginx -> proxy (max sampled) | $MAX_F |"
echo "| backend connections proxy -> fcgi echo (max sampled) | $MAX_B |"
echo "| proxy RSS before / max during | $(( RSS0 / 1024 )) MiB / $(( MAX_RSS / 1024 )) MiB |"
