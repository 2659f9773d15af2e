#!/usr/bin/env bash
# Benchmarks (not part of CI): ./bench.sh catalog [--events 100000] [--seconds 10] [--concurrency 32]
# Starts the whole topology itself, like the tests, and prints ratios against baselines measured in the same run.
set -euo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
ulimit -n 65536 2>/dev/null || true # the SSE benchmark opens thousands of connections
source scripts/ensure-servers.sh
ensure_servers
dotnet build TicketMaster.sln -c Release -nologo -clp:ErrorsOnly
exec dotnet run -c Release --no-build --project bench/TicketMaster.Bench -- "$@"
