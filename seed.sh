#!/usr/bin/env bash
# Loads the deterministic demo catalog into a running ./run.sh (EventsApi on :5101):
#   ./seed.sh [EVENTS=100000] [SEED=42]
# One 50,000-seat stadium, 300 small venues in 30 cities, 2,000 performers, EVENTS events; the search index
# is rebuilt from the catalog afterwards (watch the indexer's log on the dashboard).
set -euo pipefail
events=${1:-100000}
seed=${2:-42}
api=${EVENTSAPI_URL:-http://localhost:5101}
token=$(curl -sf -X POST "$api/v1/dev/tokens" -H 'content-type: application/json' \
  -d '{"user_id":"seeder","roles":["organizer"]}' | sed -E 's/.*"access_token":"([^"]+)".*/\1/')
curl -sf -X POST "$api/v1/dev/seed" -H "authorization: Bearer $token" -H 'content-type: application/json' \
  -d "{\"events\":$events,\"seed\":$seed}"
echo
