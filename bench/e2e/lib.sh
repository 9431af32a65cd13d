# bench/e2e/lib.sh — helpers shared by the end-to-end benchmark scripts (sourced, not run).
# The caller defines PIDS=() (every process started here is appended, for its cleanup trap).

NGINX=${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}

# Stops one process: SIGTERM, up to 5 s for it to go (a zombie counts as gone), then SIGKILL.
stop_pid() {
  local pid=$1
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 50); do
    [[ -r /proc/$pid/stat ]] && [[ $(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) != Z ]] || return 0
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
}

# The EXIT trap of every script: stops every PID in PIDS and removes the run directory $RUN.
#   trap stop_started EXIT
stop_started() {
  local pid
  for pid in "${PIDS[@]}"; do stop_pid "$pid"; done
  [[ -n ${RUN:-} ]] && rm -rf "$RUN"
  return 0
}

# utime + stime of PID in clock ticks (0 once it is gone); TICK_US = microseconds per tick.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
TICK_US=$(( 1000000 / $(getconf CLK_TCK) ))

# The median of the numbers on standard input, one per line.
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# The C libfcgi echo of the peers harness: $FCGI_TEST_C_ECHO when set, else .build/peers/c-echo
# built from tests/peers/c-echo.c (gcc -lfcgi) when missing or older than its source, else the
# harness's own build; prints nothing when there is none. Needs ROOT.
c_echo() {
  local source=$ROOT/tests/peers/c-echo.c built=$ROOT/.build/peers/c-echo
  if [[ -n ${FCGI_TEST_C_ECHO:-} ]]; then
    echo "$FCGI_TEST_C_ECHO"
  elif [[ -f $source ]] && { [[ -x $built && ! $source -nt $built ]] \
      || { mkdir -p "${built%/*}" && gcc -O2 -o "$built" "$source" -lfcgi; }; }; then
    echo "$built"
  elif [[ -x /work/shared/peers/build/c-echo ]]; then
    echo /work/shared/peers/build/c-echo
  fi
}

# A free loopback TCP port (checked with ss; 20000-39999).
free_port() {
  local p
  while :; do
    p=$(( 20000 + RANDOM % 20000 ))
    ss -Htan "( sport = :$p )" | grep -q . || { echo "$p"; return; }
  done
}

# Waits up to 15 s for something to listen on 127.0.0.1:PORT.
wait_port() {
  for _ in $(seq 300); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.05; done
  echo "$(basename "$0"): nothing listens on $1" >&2; return 1
}

# nginx as the peers' harness configures it (1 worker, the stock fastcgi_params set), in front
# of an upstream block.
#   start_nginx DIR "server A; server B;" KEEPALIVE
# KEEPALIVE = idle upstream connections kept (fastcgi_keep_conn on), 0 = one FastCGI connection
# per request. Locations: / (nginx's buffering defaults) and /stream/ (no request or response
# buffering). Sets NGINX_PORT and NGINX_PID; the PID goes into PIDS.
start_nginx() {
  local dir=$1 servers=$2 keep=$3 user="" keepalive="" keepconn="fastcgi_keep_conn off;"
  NGINX_PORT=$(free_port)
  mkdir -p "$dir"
  [[ $(id -u) -eq 0 ]] && user="user root root;"
  if (( keep > 0 )); then
    keepalive="keepalive $keep; keepalive_requests 1000000; keepalive_timeout 60s;"
    keepconn="fastcgi_keep_conn on;"
  fi
  cat > "$dir/nginx.conf" <<CONF
$user
worker_processes 1;
worker_rlimit_nofile 16384;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
daemon off;
events { worker_connections 8192; }
http {
  access_log off;
  client_body_temp_path $dir/cb; fastcgi_temp_path $dir/ft; proxy_temp_path $dir/pt; uwsgi_temp_path $dir/ut; scgi_temp_path $dir/st;
  client_max_body_size 0; client_body_buffer_size 128k;
  keepalive_requests 1000000; keepalive_timeout 65s;
  upstream app { $servers $keepalive }
  server {
    listen 127.0.0.1:$NGINX_PORT backlog=4096;
    fastcgi_param QUERY_STRING      \$query_string;
    fastcgi_param REQUEST_METHOD    \$request_method;
    fastcgi_param CONTENT_TYPE      \$content_type;
    fastcgi_param CONTENT_LENGTH    \$content_length;
    fastcgi_param SCRIPT_NAME       \$fastcgi_script_name;
    fastcgi_param SCRIPT_FILENAME   /srv/echo;
    fastcgi_param REQUEST_URI       \$request_uri;
    fastcgi_param DOCUMENT_URI      \$document_uri;
    fastcgi_param DOCUMENT_ROOT     \$document_root;
    fastcgi_param SERVER_PROTOCOL   \$server_protocol;
    fastcgi_param REQUEST_SCHEME    \$scheme;
    fastcgi_param GATEWAY_INTERFACE CGI/1.1;
    fastcgi_param SERVER_SOFTWARE   nginx/\$nginx_version;
    fastcgi_param REMOTE_ADDR       \$remote_addr;
    fastcgi_param REMOTE_PORT       \$remote_port;
    fastcgi_param SERVER_ADDR       \$server_addr;
    fastcgi_param SERVER_PORT       \$server_port;
    fastcgi_param SERVER_NAME       \$server_name;
    fastcgi_param REDIRECT_STATUS   200;
    $keepconn
    fastcgi_read_timeout 60s;
    fastcgi_buffer_size 16k;
    fastcgi_buffers 16 16k;
    location / { fastcgi_pass app; }
    location /stream/ { fastcgi_request_buffering off; fastcgi_buffering off; fastcgi_pass app; }
  }
}
CONF
  "$NGINX" -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf" </dev/null >"$dir/stdout.log" 2>&1 &
  NGINX_PID=$!; PIDS+=("$NGINX_PID")
  wait_port "$NGINX_PORT"
}
