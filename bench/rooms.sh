#!/usr/bin/env bash
# Collaboration rooms, side by side: the gateway's rooms against the reference y-websocket
# server (@y/websocket-server under node), with the same unmodified yjs + y-websocket clients.
#   bench/rooms.sh [clients=100] [edits=20] [rooms=1000] [megabytes=10]
# fanout: <clients> clients in one room, each making <edits> small edits 50 ms apart; latency
#         until every other client has an edit (p50, p99) and edits delivered per second; once
#         with y-websocket clients (Y.Docs), once with light clients (raw WebSockets sending
#         updates yjs encoded beforehand), which leave the CPU to the server.
# memory: <rooms> rooms with 2 clients each; the server's resident memory per room.
# size:   a new client's time to sync a document of <megabytes>.
# Needs node and npm. Prints one summary table.
set -euo pipefail
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
clients="${1:-100}" edits="${2:-20}" rooms="${3:-1000}" megabytes="${4:-10}"
command -v node >/dev/null || { echo "bench/rooms.sh needs node and npm" >&2; exit 1; }
npm ci --prefix "$root/bench/rooms" --no-audit --no-fund --loglevel=error >/dev/null
"$root/demiurge" --version >/dev/null   # builds once
client="$root/bench/rooms/rooms.mjs"
work="$(mktemp -d)"
pids=()
trap 'for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$work"' EXIT

rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
field() { node -e "process.stdout.write(String(JSON.parse(require('fs').readFileSync(0,'utf8'))['$1']))"; }

# Runs the measurements against one server: name, url, pid, file of room names, fanout room, size room, light fanout room.
measure() {
  local name="$1" url="$2" pid="$3" names="$4" room="$5" big="$6" light="$7"
  node "$client" fanout "$url" "$room" "$clients" "$edits" 50 >"$work/$name.fanout"
  node "$client" fanout-light "$url" "$light" "$clients" "$edits" 50 >"$work/$name.light"
  node "$client" size "$url" "$big" "$megabytes" >"$work/$name.size"
  local before after
  before="$(rss_kib "$pid")"
  # The memory clients stay connected until their stdin (a fifo) closes: RSS is read meanwhile.
  mkfifo "$work/$name.hold"
  node "$client" memory "$url" "@$names" 2 <"$work/$name.hold" >"$work/$name.memory" &
  local holder=$!
  exec 9>"$work/$name.hold"
  for _ in $(seq 600); do [ -s "$work/$name.memory" ] && break; sleep 0.5; done
  after="$(rss_kib "$pid")"
  exec 9>&-
  wait "$holder"
  printf '%-24s %9s %9s %12s %9s %9s %12s %14s %12s %12s\n' "$name" \
    "$(field p50_ms <"$work/$name.fanout")" "$(field p99_ms <"$work/$name.fanout")" \
    "$(field updates_per_second <"$work/$name.fanout")" \
    "$(field p50_ms <"$work/$name.light")" "$(field p99_ms <"$work/$name.light")" \
    "$(field updates_per_second <"$work/$name.light")" \
    "$(( (after - before) / $(wc -w <"$names") ))" "$(( after / 1024 ))" "$(field sync_ms <"$work/$name.size")"
}

# The reference server: every room name is accepted.
seq -f "room-%g" "$rooms" >"$work/reference.names"
port="$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")"
HOST=127.0.0.1 PORT="$port" node "$root/bench/rooms/node_modules/@y/websocket-server/src/server.js" >"$work/reference.log" 2>&1 &
pids+=($!)
reference_pid=$!
for _ in $(seq 50); do grep -q running "$work/reference.log" && break; sleep 0.1; done

printf '%-24s %9s %9s %12s %9s %9s %12s %14s %12s %12s\n' server "p50 ms" "p99 ms" "edits/s" "light p50" "light p99" "light ed/s" "KiB per room" "RSS MiB" "sync ${megabytes} MB"
# The reference first, alone: `up` and its workers start only after it.
measure reference "ws://127.0.0.1:$port" "$reference_pid" "$work/reference.names" fanout-room size-room light-room
kill -TERM "$reference_pid"

# Demiurge: `up` with one worker; one organization with a project per room.
token="bench-admin-token-$(date +%s%N)"
"$root/artifacts/demiurge/demiurge" up --data-dir "$work/data" --api-port 0 --edge-http-port 0 --edge-https-port 0 \
  --admin-token "$token" --pool-size 1 --pool-min-ready 0 --pool-max 1 --gateway-inactivity-timeout off >"$work/up.out" 2>"$work/up.err" &
pids+=($!)
for _ in $(seq 300); do grep -q '^  API:' "$work/up.out" && break; sleep 0.1; done
api="$(awk '/^  API:/ {print $2}' "$work/up.out")"
[ -n "$api" ] || { cat "$work/up.out" "$work/up.err" >&2; exit 1; }
post() { curl -sf -H "Authorization: Bearer $token" -H 'Content-Type: application/json' -d "$2" "$api$1"; }
organization="$(post /orgs '{"name":"Bench rooms"}' | field organization_id)"
for i in $(seq "$rooms"); do post "/orgs/$organization/projects" "{\"name\":\"room $i\"}" | field project_id; echo; done >"$work/demiurge.names"
fanout_room="$(post "/orgs/$organization/projects" '{"name":"fanout"}' | field project_id)"
size_room="$(post "/orgs/$organization/projects" '{"name":"size"}' | field project_id)"
light_room="$(post "/orgs/$organization/projects" '{"name":"light"}' | field project_id)"
for _ in $(seq 300); do
  started="$(curl -s -H "Authorization: Bearer $token" -H 'Content-Type: application/json' -d "{\"organization_id\":\"$organization\"}" "$api/gateway/start" || true)"
  gateway="$(printf '%s' "$started" | node -e "try{const g=JSON.parse(require('fs').readFileSync(0,'utf8'));process.stdout.write(g.gateway_id??'')}catch{}")"
  [ -n "$gateway" ] && break
  sleep 0.2
done
read -r address worker_pid < <(curl -sf -H "Authorization: Bearer $token" "$api/gateways" |
  node -e "const g=JSON.parse(require('fs').readFileSync(0,'utf8')).find(g=>g.gateway_id==='$gateway');console.log(g.address,g.pid)")
export DEMIURGE_TOKEN="$token"
sleep 3 # the allocation settles: measure a quiet gateway

measure demiurge "ws://${address#http://}/collab" "$worker_pid" "$work/demiurge.names" "$fanout_room" "$size_room" "$light_room"
echo "clients $clients, edits $edits each, rooms $rooms x 2 clients, $(nproc) cores, $(node --version)"
