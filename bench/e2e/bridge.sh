#!/usr/bin/env bash
# fcgi bridge vs the real cgi-fcgi, same run, same application (our libfcgi C echo):
#   1. 100 MiB POST piped through each bridge to the echo and back (byte-exact check), 3 runs each,
#      cgi-fcgi / our ReadyToRun apphost / `dotnet fcgi.dll` alternating run by run, median;
#   2. time per single-request invocation (GET, process start-up included), hyperfine.
# Usage: bench/e2e/bridge.sh [--runs N] [--hyperfine-runs N]   (about 1-2 minutes)
# Needs: gcc + libfcgi-dev, cgi-fcgi (libfcgi-bin), hyperfine, dotnet. Loopback only; stops what it starts by PID.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
ROOT=$PWD
RUNS=3; HRUNS=100
while (( $# )); do
  case $1 in
    --runs) RUNS=$2; shift 2;;
    --hyperfine-runs) HRUNS=$2; shift 2;;
    *) echo "unknown argument $1" >&2; exit 64;;
  esac
done

CLI=${FCGI_TEST_CLI:-$ROOT/src/FcgiActors.Cli/bin/Release/net10.0/fcgi.dll}
[[ -f $CLI ]] || dotnet build "$ROOT/src/FcgiActors.Cli" -c Release -nologo -v:q -clp:ErrorsOnly
WORK=$(mktemp -d /dev/shm/fcgi-bridge-bench.XXXXXX); RUN=$WORK
PIDS=()
source "$ROOT/bench/e2e/lib.sh"   # stop_started, median, free_port, wait_port, c_echo
trap stop_started EXIT
ECHO=$(c_echo)
[[ -n $ECHO ]] || { echo "bridge.sh: no C echo (tests/peers/c-echo.c, gcc and libfcgi-dev)" >&2; exit 1; }
PORT=$(free_port)
"$ECHO" "127.0.0.1:$PORT" 128 & PIDS+=($!)
wait_port "$PORT"

SIZE=104857600
head -c $SIZE /dev/urandom > "$WORK/big"
# The deployment form: published for the machine's runtime with ReadyToRun (precompiled), run
# through its apphost; the plain build (`dotnet fcgi.dll`) JIT-compiles at every start.
RID=$(dotnet --info 2>/dev/null | sed -n 's/^ *RID: *//p' | head -1); RID=${RID:-linux-x64}
dotnet publish "$ROOT/src/FcgiActors.Cli" -c Release -r "$RID" --self-contained false -nologo -v:q -clp:ErrorsOnly \
  -o "$WORK/r2r" > "$WORK/publish.txt" 2>&1 || { cat "$WORK/publish.txt"; exit 1; }
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); $(dotnet --version 2>/dev/null | sed 's/^/dotnet /'); $(dpkg-query -W -f='libfcgi-bin ${Version}' libfcgi-bin 2>/dev/null)"
echo
echo "## 100 MiB POST through the bridge to the C echo and back ($RUNS runs each, tools alternating, median)"
TOOLS=(cgi-fcgi fcgi-r2r fcgi-dll)
declare -A times
for r in $(seq "$RUNS"); do
  for tool in "${TOOLS[@]}"; do
    case $tool in
      cgi-fcgi) cmd=(cgi-fcgi -bind -connect "127.0.0.1:$PORT");;
      fcgi-r2r) cmd=("$WORK/r2r/fcgi" bridge -bind -connect "127.0.0.1:$PORT");;
      fcgi-dll) cmd=(dotnet "$CLI" bridge -bind -connect "127.0.0.1:$PORT");;
    esac
    start=$(date +%s.%N)
    env -i PATH="$PATH" HOME="${HOME:-/root}" REQUEST_METHOD=POST QUERY_STRING=fixed=1 CONTENT_LENGTH=$SIZE \
      "${cmd[@]}" < "$WORK/big" > "$WORK/out"
    end=$(date +%s.%N)
    tail -c $SIZE "$WORK/out" | cmp -s - "$WORK/big" || { echo "$tool: echoed body differs" >&2; exit 1; }
    times[$tool]+="$(echo "$end - $start" | bc -l) "
  done
done
for tool in "${TOOLS[@]}"; do
  read -r -a list <<< "${times[$tool]}"
  mid=$(printf '%s\n' "${list[@]}" | median)
  printf '| %-8s | runs (s): %s | median %.3f s | %.0f MB/s |\n' "$tool" "$(printf '%.3f ' "${list[@]}")" \
    "$mid" "$(echo "$SIZE / $mid / 1000000" | bc -l)"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

echo
echo "## time per single-request invocation (GET, start-up included), hyperfine $HRUNS runs"
export REQUEST_METHOD=GET QUERY_STRING=fixed=1
hyperfine -N --warmup 5 --runs "$HRUNS" --export-markdown "$WORK/h.md" \
  "cgi-fcgi -bind -connect 127.0.0.1:$PORT" \
  "$WORK/r2r/fcgi bridge -bind -connect 127.0.0.1:$PORT" \
  "dotnet $CLI bridge -bind -connect 127.0.0.1:$PORT" > "$WORK/h.txt" 2>&1 || { cat "$WORK/h.txt"; exit 1; }
sed -e "s#$CLI#fcgi.dll#" -e "s#$WORK/r2r/fcgi#fcgi (ReadyToRun)#" "$WORK/h.md"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
