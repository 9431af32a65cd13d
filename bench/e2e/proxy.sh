#!/usr/bin/env bash
# bench/e2e/proxy.sh — end-to-end numbers for `fcgi proxy`, self-contained, about 2 minutes.
#
#   bench/e2e/proxy.sh [--duration S] [--conns N] [--rounds R] [--latency-conns N]
#
# 1. nginx -> C libfcgi echo (2 processes, 2 ports, a new FastCGI connection per request:
#    the only valid way to put nginx in front of libfcgi)          direct baseline
# 2. nginx -> fcgi proxy -> 2 C echo processes of its own (one kept connection each)
#    Both setups run side by side; every round runs direct, then proxied (wrk -t2 -cN -dS,
#    GET small, nginx 1 worker), and the table gives every round and the medians.
#    Then one pair at --latency-conns (default 1): the latency one request pays for the extra
#    hop, without the queueing that dominates p50 at -c64 (p50 ~ concurrency / throughput).
# 3. 1,000 concurrent requests (wrk -c1000, sleep=200 ms each) through nginx -> fcgi proxy ->
#    one `fcgi echo` (our multiplexing responder); counts the proxy's backend connections with
#    `ss` and samples the proxy's RSS during the run.
#
# Loopback only, free ports chosen at run time, every process stopped by its PID.
# Needs: nginx, wrk, gcc + libfcgi-dev (or a built c-echo), dotnet, ss (iproute2).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
DURATION=10 CONNS=64 ROUNDS=3 LCONNS=1
while [[ $# -gt 0 ]]; do
  case $1 in
    --duration) DURATION=$2; shift ;;
    --conns) CONNS=$2; shift ;;
    --rounds) ROUNDS=$2; shift ;;
    --latency-conns) LCONNS=$2; shift ;;
    *) echo "proxy.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

RUN=$(mktemp -d /tmp/fcgi-proxy-bench-XXXXXX)
PIDS=()
source "$ROOT/bench/e2e/lib.sh"   # stop_started, cpu_ticks, median, free_port, wait_port, start_nginx, c_echo
trap stop_started EXIT
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

# --- what we run ------------------------------------------------------------------------
CLI=$ROOT/src/FcgiActors.Cli/bin/Release/net10.0/fcgi.dll
[[ -f $CLI ]] || dotnet build "$ROOT/src/FcgiActors.Cli" -c Release -nologo -v:q -clp:ErrorsOnly
CECHO=$(c_echo)
[[ -n $CECHO ]] || { echo "proxy.sh: no C echo (tests/peers/c-echo.c, gcc and libfcgi-dev)" >&2; exit 1; }


run_wrk() { # URL CONNS -> prints "rps p50_ms p99_ms errors"
  local out
  out=$(wrk -t"$(( $2 < 2 ? 1 : 2 ))" -c"$2" -d"${DURATION}s" --latency --timeout 30s "$1" 2>&1)
  local rps p50 p99 errs
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  errs=$(awk '/Non-2xx|Socket errors/ {printf "%s ", $0}' <<<"$out")
  echo "$rps $p50 $p99 ${errs:-none}"
}

to_ms() { awk -v v="$1" 'BEGIN { if (v ~ /us$/) { sub(/us/,"",v); print v/1000 } else if (v ~ /ms$/) { sub(/ms/,"",v); print v } else if (v ~ /s$/) { sub(/s/,"",v); print v*1000 } else print v }'; }

echo "# fcgi proxy benchmark — $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, wrk -t2 -c$CONNS -d${DURATION}s"

# --- 1 + 2: C echo direct vs through the proxy, interleaved rounds ------------------------
cecho_pair() { # two fresh C echo processes on PAIR_A and PAIR_B; their PIDs go into PIDS
  PAIR_A=$(free_port); PAIR_B=$(free_port)
  "$CECHO" "127.0.0.1:$PAIR_A" 1024 >/dev/null 2>&1 & PIDS+=($!)
  "$CECHO" "127.0.0.1:$PAIR_B" 1024 >/dev/null 2>&1 & PIDS+=($!)
  wait_port "$PAIR_A"; wait_port "$PAIR_B"
}
cecho_pair; E1=$PAIR_A; E2=$PAIR_B
start_nginx "$RUN/nginx-direct" "server 127.0.0.1:$E1; server 127.0.0.1:$E2;" 0; DIRECT=$NGINX_PORT
curl -fsS "http://127.0.0.1:$DIRECT/x?check=1" | grep -q "query=check=1" || { echo "proxy.sh: direct echo check failed" >&2; exit 1; }

# The proxy gets echo processes of its own: a libfcgi process serves one connection at a time,
# and the proxy keeps its connections, so it must not share them with the direct setup.
cecho_pair; F1=$PAIR_A; F2=$PAIR_B
P=$(free_port)
cat > "$RUN/c.conf" <<CONF
fcgi.proxy {
  default-pool = c
  pools { c { backends = ["127.0.0.1:$F1", "127.0.0.1:$F2"], multiplexing = off, max-connections-per-backend = 1, max-concurrency = 1024 } }
}
CONF
dotnet "$CLI" proxy --listen "127.0.0.1:$P" --config "$RUN/c.conf" --log-level Warning & PROXY1=$!; PIDS+=($PROXY1)
wait_port "$P"
start_nginx "$RUN/nginx-viaproxy" "server 127.0.0.1:$P;" 1024; VIA=$NGINX_PORT
curl -fsS "http://127.0.0.1:$VIA/x?check=2" | grep -q "query=check=2" || { echo "proxy.sh: proxied echo check failed" >&2; exit 1; }
for port in "$DIRECT" "$VIA"; do wrk -t2 -c"$CONNS" -d2s "http://127.0.0.1:$port/x?warm=1" >/dev/null 2>&1; done   # warm-up (JIT)

echo
echo "| round | path | req/s | p50 ms | p99 | errors | proxy CPU µs/req | load |"
echo "|---:|---|---:|---:|---:|---|---:|---|"
: > "$RUN/d"; : > "$RUN/x"
for r in $(seq "$ROUNDS"); do
  read -r rps p50 p99 err < <(run_wrk "http://127.0.0.1:$DIRECT/x?a=1" "$CONNS")
  echo "$rps $(to_ms "$p50")" >> "$RUN/d"
  echo "| $r | nginx -> C echo (2 procs) direct | $rps | $(to_ms "$p50") | $p99 | $err | - | $(cut -d' ' -f1 /proc/loadavg) |"
  t0=$(cpu_ticks "$PROXY1"); n0=$(date +%s%N)
  out=$(wrk -t2 -c"$CONNS" -d"${DURATION}s" --latency --timeout 30s "http://127.0.0.1:$VIA/x?a=1" 2>&1)
  t1=$(cpu_ticks "$PROXY1")
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out"); p50=$(awk '$1=="50%" {print $2}' <<<"$out"); p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  n=$(awk '/requests in/ {print $1}' <<<"$out"); err=$(awk '/Non-2xx|Socket errors/ {printf "%s ", $0}' <<<"$out")
  cpu=$(awk -v a="$t0" -v b="$t1" -v n="$n" -v t="$TICK_US" 'BEGIN { printf "%.0f", (b - a) * t / n }')
  echo "$rps $(to_ms "$p50")" >> "$RUN/x"
  echo "| $r | nginx -> fcgi proxy -> C echo (2 procs) | $rps | $(to_ms "$p50") | $p99 | ${err:-none} | $cpu | $(cut -d' ' -f1 /proc/loadavg) |"
done
D_RPS=$(cut -d' ' -f1 "$RUN/d" | median); D50=$(cut -d' ' -f2 "$RUN/d" | median)
X_RPS=$(cut -d' ' -f1 "$RUN/x" | median); X50=$(cut -d' ' -f2 "$RUN/x" | median)
echo "| median | direct | $D_RPS | $D50 | | | | |"
echo "| median | via proxy | $X_RPS | $X50 | | | | |"
awk -v d="$D_RPS" -v x="$X_RPS" -v d50="$D50" -v x50="$X50" -v c="$CONNS" 'BEGIN { printf "\nmedians at -c%d: ratio req/s proxy/direct = %.2f (target >= 0.85); p50 added = %.2f ms\n", c, x/d, x50-d50 }'
read -r LD_RPS LD_P50 LD_P99 _ < <(run_wrk "http://127.0.0.1:$DIRECT/x?a=1" "$LCONNS")
read -r LX_RPS LX_P50 LX_P99 _ < <(run_wrk "http://127.0.0.1:$VIA/x?a=1" "$LCONNS")
awk -v d="$(to_ms "$LD_P50")" -v x="$(to_ms "$LX_P50")" -v dr="$LD_RPS" -v xr="$LX_RPS" -v c="$LCONNS" \
  'BEGIN { printf "at -c%d: p50 direct %.3f ms (%s req/s), via proxy %.3f ms (%s req/s): p50 added = %.3f ms (target <= 0.3)\n", c, d, dr, x, xr, x-d }'

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
