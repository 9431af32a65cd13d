#!/usr/bin/env bash
# The whole test suite, from a clean clone: installs the real peers the tests talk to
# (nginx, the C cgi-fcgi, libfcgi, PHP-FPM) when missing, builds in Release, runs every
# test project, and ends with one "N passed, N failed" line. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
ROOT=$PWD
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# --- 1. System packages the interop tests need -------------------------------------------
PKGS=(nginx libfcgi-bin libfcgi-dev php8.2-fpm spawn-fcgi python3 gcc libc6-dev procps iproute2)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if (( ${#missing[@]} )); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "test.sh: missing packages ${missing[*]}; run as root or install them" >&2; exit 1
  fi
  echo "test.sh: installing ${missing[*]}"
  # Keep maintainer scripts from starting nginx/php-fpm on :80 / the system socket.
  created_policy=0
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod 755 /usr/sbin/policy-rc.d; created_policy=1
  fi
  export DEBIAN_FRONTEND=noninteractive
  timeout 600 apt-get update -qq
  timeout 900 apt-get install -y -qq --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${missing[@]}" >/dev/null
  (( created_policy )) && rm -f /usr/sbin/policy-rc.d
fi

# --- 2. Our own C libfcgi echo, the reference responder for the interop tests -----------
mkdir -p "$ROOT/.build/peers"
if [[ -f $ROOT/tests/peers/c-echo.c ]] && [[ ! -x $ROOT/.build/peers/c-echo || $ROOT/tests/peers/c-echo.c -nt $ROOT/.build/peers/c-echo ]]; then
  gcc -O2 -Wall -Wextra -o "$ROOT/.build/peers/c-echo" "$ROOT/tests/peers/c-echo.c" -lfcgi
fi
export FCGI_TEST_C_ECHO=$ROOT/.build/peers/c-echo
export FCGI_TEST_ROOT=$ROOT

# --- 3. Build and test -------------------------------------------------------------------
timeout 900 dotnet build FcgiActors.sln -c Release -nologo -clp:ErrorsOnly -v:q
# The samples are not in the solution; they are built here (warnings are errors, as everywhere)
# and run by tests/FcgiActors.Hosting.Tests/Samples/SampleSmokeTests. The libraries they
# reference were just built with the solution: --no-dependencies skips re-checking them.
for sample in samples/*/*.csproj; do
  timeout 600 dotnet build "$sample" -c Release -nologo -clp:ErrorsOnly -v:q -warnaserror --no-dependencies
done
export FCGI_TEST_CLI=$ROOT/src/FcgiActors.Cli/bin/Release/net10.0/fcgi.dll

passed=0; failed=0; skipped=0; rc=0
log=$(mktemp)
for proj in tests/*.Tests/*.csproj; do
  echo "test.sh: $proj"
  set +e
  timeout 900 dotnet test "$proj" -c Release --no-build --nologo \
    --blame-hang-timeout 180s -- RunConfiguration.TestSessionTimeout=840000 2>&1 | tee "$log"
  code=${PIPESTATUS[0]}
  set -e
  line=$(grep -E '(Passed|Failed)!? +- +Failed: ' "$log" | tail -n 1 || true)
  if [[ -n $line ]]; then
    f=$(sed -E 's/.*Failed: *([0-9]+).*/\1/' <<<"$line"); p=$(sed -E 's/.*Passed: *([0-9]+).*/\1/' <<<"$line")
    s=$(sed -E 's/.*Skipped: *([0-9]+).*/\1/' <<<"$line")
    passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
  elif ! grep -q 'No test is available' "$log"; then
    failed=$((failed + 1)); echo "test.sh: $proj produced no result line" >&2
  fi
  (( code == 0 )) || rc=1
done
rm -f "$log"
echo "$passed passed, $failed failed, $skipped skipped"
(( failed == 0 )) || rc=1
exit $rc
