#!/usr/bin/env bash
# Sets up and runs the whole TicketMaster system: MariaDB, Redis, RabbitMQ, EventsApi, BookingApi, Indexer,
# the web site and the Aspire dashboard. Ctrl+C stops everything it started.
set -euo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

source scripts/ensure-servers.sh
ensure_servers

cat <<'BANNER'
TicketMaster is starting (first run: restore and build take a few minutes).
  Site        http://localhost:5100    (sign in as anyone; demo organizer: demo-organizer, door staff: demo-staff)
  Dashboard   http://localhost:18888
  EventsApi   http://localhost:5101   (OpenAPI: /openapi/v1.json)
  BookingApi  http://localhost:5102
  Data        ./.data  (delete it to start from empty)
Ctrl+C stops everything.
BANNER

exec dotnet run --project TicketMaster.AppHost -- "$@"
