#!/usr/bin/env bash
# ASP.NET Core minimal-API "hello" served over FastCGI behind nginx (FastCgiAspNetServer)
# against the same app on Kestrel HTTP behind nginx proxy_pass, in the same run.
#
#   bench/e2e/aspnet.sh [--duration S] [--rounds N] [--conns C] [--threads T]
#
# One nginx (1 worker) with two server blocks: one -> fastcgi_pass to the FastCGI app (keep_conn +
# upstream keepalive), one -> proxy_pass to the Kestrel app (HTTP/1.1 + upstream keepalive).
# All four ports are free loopback ports picked at start.
# Both apps are samples/MinimalApiFastCgi (Release), the Kestrel one started with server=kestrel.
# Warm-up 3 s each, then N rounds alternating FastCGI / Kestrel, wrk -tT -cC -dS; median req/s.
# Defaults (3 rounds x 2 x 8 s + warm-up + start) keep the run under 2 minutes.
# Everything listens on 127.0.0.1; every process started here is stopped by its PID.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
ROOT=$PWD
DURATION=8 ROUNDS=3 CONNS=64 THREADS=2
while [[ $# -gt 0 ]]; do
  case $1 in
    --duration) DURATION=$2; shift ;;
    --rounds) ROUNDS=$2; shift ;;
    --conns) CONNS=$2; shift ;;
    --threads) THREADS=$2; shift ;;
    *) echo "aspnet.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

RUN=$(mktemp -d /tmp/fcgi-bench-aspnet.XXXXXX)
PIDS=()
source "$ROOT/bench/e2e/lib.sh"   # stop_started, median, free_port, wait_port
trap 'RUN="" stop_started' EXIT   # stops what it started; the logs stay in $RUN (printed at the end)
# Four free loopback ports, chosen at run time (the machine is shared).
FCGI_PORT=$(free_port); KESTREL_PORT=$(free_port); NGINX_FCGI=$(free_port); NGINX_HTTP=$(free_port)

echo "== build samples/MinimalApiFastCgi (Release)"
timeout 600 dotnet build samples/MinimalApiFastCgi -c Release -nologo -v:q -clp:ErrorsOnly >/dev/null
APP=$ROOT/samples/MinimalApiFastCgi/bin/Release/net10.0/MinimalApiFastCgi.dll

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet "$APP" --urls "fcgi://127.0.0.1:$FCGI_PORT" --Logging:LogLevel:Default=Warning >"$RUN/fastcgi.log" 2>&1 &
PIDS+=($!)
dotnet "$APP" --server=kestrel --urls "http://127.0.0.1:$KESTREL_PORT" --Logging:LogLevel:Default=Warning >"$RUN/kestrel.log" 2>&1 &
PIDS+=($!)

user=; [[ $(id -u) -eq 0 ]] && user="user root root;"
cat >"$RUN/nginx.conf" <<CONF
$user
worker_processes 1;
pid $RUN/nginx.pid;
error_log $RUN/error.log warn;
daemon off;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $RUN/client_body;
  fastcgi_temp_path $RUN/fastcgi_temp;
  proxy_temp_path $RUN/proxy_temp;
  uwsgi_temp_path $RUN/uwsgi_temp;
  scgi_temp_path $RUN/scgi_temp;
  keepalive_requests 1000000;

  upstream aspnet_fcgi { server 127.0.0.1:$FCGI_PORT; keepalive 32; }
  upstream aspnet_http { server 127.0.0.1:$KESTREL_PORT; keepalive 32; }

  server {
    listen 127.0.0.1:$NGINX_FCGI backlog=4096;
    location / {
      fastcgi_param QUERY_STRING    \$query_string;
      fastcgi_param REQUEST_METHOD  \$request_method;
      fastcgi_param CONTENT_TYPE    \$content_type;
      fastcgi_param CONTENT_LENGTH  \$content_length;
      fastcgi_param REQUEST_URI     \$request_uri;
      fastcgi_param SERVER_PROTOCOL \$server_protocol;
      fastcgi_param REQUEST_SCHEME  \$scheme;
      fastcgi_param HTTPS           \$https if_not_empty;
      fastcgi_param REMOTE_ADDR     \$remote_addr;
      fastcgi_param REMOTE_PORT     \$remote_port;
      fastcgi_param SERVER_ADDR     \$server_addr;
      fastcgi_param SERVER_PORT     \$server_port;
      fastcgi_param SERVER_NAME     \$server_name;
      fastcgi_param HTTP_HOST       \$http_host;
      fastcgi_keep_conn on;
      fastcgi_pass aspnet_fcgi;
    }
  }
  server {
    listen 127.0.0.1:$NGINX_HTTP backlog=4096;
    location / {
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$host;
      proxy_pass http://aspnet_http;
    }
  }
}
CONF
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
"$NGINX" -t -q -p "$RUN" -e "$RUN/error.log" -c "$RUN/nginx.conf"
"$NGINX" -p "$RUN" -e "$RUN/error.log" -c "$RUN/nginx.conf" </dev/null >"$RUN/nginx.out" 2>&1 &
PIDS+=($!)

wait_port $FCGI_PORT; wait_port $KESTREL_PORT; wait_port $NGINX_FCGI; wait_port $NGINX_HTTP
for port in $NGINX_FCGI $NGINX_HTTP; do
  body=$(curl -s --max-time 5 "http://127.0.0.1:$port/")
  [[ $body == "Hello, FastCGI!" ]] || { echo "aspnet.sh: unexpected body from :$port: $body" >&2; cat "$RUN"/*.log >&2; exit 1; }
done

echo "== warm-up (3 s each)"
wrk -t"$THREADS" -c"$CONNS" -d3s "http://127.0.0.1:$NGINX_FCGI/" >/dev/null
wrk -t"$THREADS" -c"$CONNS" -d3s "http://127.0.0.1:$NGINX_HTTP/" >/dev/null

measure() { # port -> "rps p50_ms p99_ms errors"
  local out rps p50 p99 err
  out=$(wrk -t"$THREADS" -c"$CONNS" -d"${DURATION}s" --latency "http://127.0.0.1:$1/")
  rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  err=$(awk '/Non-2xx|Socket errors/ {gsub(/[^0-9 ]/," "); s=0; for(i=1;i<=NF;i++) s+=$i; t+=s} END {print t+0}' <<<"$out")
  echo "$rps $p50 $p99 $err"
}

fcgi_rps=() http_rps=()
printf '\n| round | FastCGI req/s | p50 / p99 | errors | Kestrel proxy_pass req/s | p50 / p99 | errors |\n|---|---:|---|---:|---:|---|---:|\n'
for r in $(seq "$ROUNDS"); do
  read -r f50rps f50 f99 ferr < <(measure $NGINX_FCGI)
  read -r h50rps h50 h99 herr < <(measure $NGINX_HTTP)
  fcgi_rps+=("$f50rps"); http_rps+=("$h50rps")
  printf '| %s | %s | %s / %s | %s | %s | %s / %s | %s |\n' "$r" "$f50rps" "$f50" "$f99" "$ferr" "$h50rps" "$h50" "$h99" "$herr"
done

fm=$(printf '%s\n' "${fcgi_rps[@]}" | median); hm=$(printf '%s\n' "${http_rps[@]}" | median)
ratio=$(awk -v f="$fm" -v h="$hm" 'BEGIN {printf "%.2f", f/h}')
echo
echo "median req/s: FastCGI $fm, Kestrel behind proxy_pass $hm, ratio FastCGI/Kestrel = $ratio"
echo "(wrk -t$THREADS -c$CONNS -d${DURATION}s, $ROUNDS rounds, nginx 1 worker; logs in $RUN)"
