#!/usr/bin/env bash
# Control-plane API latency and throughput, measured with wrk on loopback.
#   bench/api.sh [seconds] [connections]
# Starts the built demiurge on a free port with a throwaway data directory, seeds one user
# with 20 organizations, then measures an anonymous call (/healthz), an authenticated read
# (GET /orgs: token lookup plus a join) and an authenticated write (POST /orgs: a transaction
# with its audit event). Prints one summary line per endpoint.
set -euo pipefail
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds="${1:-10}"
connections="${2:-32}"

command -v wrk >/dev/null || { echo "bench/api.sh needs wrk: apt-get install wrk" >&2; exit 1; }
"$root/demiurge" --version >/dev/null   # builds once

work="$(mktemp -d)"
token="bench-admin-token-$(date +%s%N)"
"$root/artifacts/demiurge/demiurge" up --data-dir "$work/data" --api-port 0 --edge-http-port 0 --edge-https-port 0 --admin-token "$token" \
  >"$work/out" 2>"$work/err" &
pid=$!
trap 'kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do grep -q '^  API:' "$work/out" && break; sleep 0.1; done
api="$(awk '/^  API:/ {print $2}' "$work/out")"
[ -n "$api" ] || { cat "$work/out" "$work/err" >&2; exit 1; }

for i in $(seq 20); do
  curl -sf -o /dev/null -H "Authorization: Bearer $token" -H 'Content-Type: application/json' -d "{\"name\":\"Seed $i\"}" "$api/orgs"
done

cat >"$work/post.lua" <<'LUA'
wrk.method = "POST"
wrk.body = '{"name":"Bench Co"}'
wrk.headers["Content-Type"] = "application/json"
LUA

run() {  # name, path, extra wrk args...
  local name="$1" path="$2"; shift 2
  wrk -t2 -c"$connections" -d"${seconds}s" --latency -H "Authorization: Bearer $token" "$@" "$api$path" >"$work/wrk"
  awk -v name="$name" '
    /Requests\/sec/ { rps = $2 }
    /^ +50%/ { p50 = $2 } /^ +99%/ { p99 = $2 }
    / requests in / { total = $1 }
    /Non-2xx/ { errors = $NF }
    END { printf "%-22s %10s req/s   p50 %8s   p99 %8s   requests %s   non-2xx %s\n", name, rps, p50, p99, total, errors + 0 }' "$work/wrk"
}

echo "demiurge API on $api, ${seconds}s per endpoint, $connections connections, $(nproc) cores"
run "GET /healthz" /healthz
run "GET /orgs (auth+join)" /orgs
run "POST /orgs (write)" /orgs -s "$work/post.lua"
