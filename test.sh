#!/usr/bin/env bash
# Runs every test against the real topology (one AppHost for the whole run) and ends with one line:
# "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

source scripts/ensure-servers.sh
ensure_servers || { echo "0 passed, 1 failed"; exit 1; }
# The browser tests drive Debian's Chromium through Playwright (nothing is downloaded at run time).
if ! command -v chromium >/dev/null; then
  if [ "$(id -u)" -eq 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium fonts-liberation >/dev/null
  else
    echo "chromium is missing: sudo apt-get install -y chromium fonts-liberation" >&2
  fi
fi
# The Kubernetes manifest tests render the overlays with `kubectl kustomize` (offline).
if ! command -v kubectl >/dev/null; then
  if [ "$(id -u)" -eq 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends kubernetes-client >/dev/null
  else
    echo "kubectl is missing: sudo apt-get install -y kubernetes-client" >&2
  fi
fi

results=.test-results
rm -rf "$results"
# The services' console output of this run, one file per replica (read it when a test failed).
export TICKETMASTER_TEST_LOGS="$PWD/$results/service-logs"

if ! dotnet build TicketMaster.sln -c Debug -nologo -clp:ErrorsOnly; then
  echo "Build failed."
  echo "0 passed, 1 failed"
  exit 1
fi

# A hung test fails after 5 minutes instead of holding CI until its limit.
dotnet test TicketMaster.sln -c Debug --no-build --logger "trx;LogFileName=results.trx" --results-directory "$results" \
  --blame-hang-timeout 5m --blame-hang-dump-type none "$@"
status=$?

passed=0 failed=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx")
  passed=$((passed + $(sed -E 's/.* passed="([0-9]+)".*/\1/' <<<"$counters")))
  failed=$((failed + $(sed -E 's/.* failed="([0-9]+)".*/\1/' <<<"$counters")))
done
# A run that crashed before writing results must not look green.
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo "$passed passed, $failed failed"
exit "$status"
