#!/usr/bin/env bash
# Leader failover as a worker sees it: three `demiurge controlplane` on one throwaway PostgreSQL
# cluster, an organization served by a worker the leader started, an edit made on it, then
# kill -9 of the leader. Measured per round, from the kill: until another instance leads, and
# until an admin's release through a survivor has gone through (the worker's final push and
# /gateway/stop reached a survivor). Then the organization starts again and the edit is read
# back, and the workers still live are counted (none may have been replaced).
#   bench/failover.sh [rounds]
set -euo pipefail
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rounds="${1:-5}"
bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
[ -x "$bin/postgres" ] || { echo "bench/failover.sh needs PostgreSQL: apt-get install postgresql" >&2; exit 1; }
"$root/demiurge" --version >/dev/null   # builds once
exe="$root/artifacts/demiurge/demiurge"

work="$(mktemp -d)"
pids=()
as_postgres=()
if [ "$(id -u)" = 0 ]; then chown postgres "$work"; as_postgres=(setpriv --reuid postgres --regid postgres --init-groups --); fi
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
port="$(free_port)"
"${as_postgres[@]}" "$bin/initdb" -D "$work/data" -U postgres -A trust -E UTF8 --locale=C --no-sync >/dev/null
"${as_postgres[@]}" "$bin/postgres" -D "$work/data" -p "$port" -h 127.0.0.1 -k "$work" \
  -c max_connections=300 -c log_min_messages=fatal >"$work/log" 2>&1 &
pg=$!
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  kill -INT "$pg" 2>/dev/null; wait "$pg" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
psql=("$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -v ON_ERROR_STOP=1 -qAt)
for _ in $(seq 100); do "${psql[@]}" -c 'SELECT 1' postgres >/dev/null 2>&1 && break; sleep 0.1; done

token="bench-admin-token-$(date +%s%N)"
auth=(-H "Authorization: Bearer $token" -H 'Content-Type: application/json')
json() { python3 -c 'import json,sys; v=json.load(sys.stdin); exec("for k in sys.argv[1:]: v=v[int(k)] if isinstance(v,list) else v[k]"); print(v)' "$@"; }
now() { date +%s.%N; }
since() { python3 -c 'import sys; print(f"{float(sys.argv[2]) - float(sys.argv[1]):.2f}")' "$1" "$(now)"; }
leads() { curl -sf -m 2 "${auth[@]}" "$1/control-planes" 2>/dev/null | json leader 2>/dev/null; }
gateways() { curl -sf "${auth[@]}" "$1/gateways"; }
count_state() { python3 -c 'import json,sys; print(sum(g["state"] in sys.argv[1:] for g in json.load(sys.stdin)))' "$@"; }

echo "PostgreSQL $("${psql[@]}" -c 'SHOW server_version' postgres), 3 control planes, pool of 2, $(nproc) cores"
for round in $(seq "$rounds"); do
  database="failover_$round"
  "${psql[@]}" -c "CREATE DATABASE $database" postgres
  ports="$((20000 + round * 50))-$((20000 + round * 50 + 39))"
  apis=() cps=()
  for i in 1 2 3; do
    mkdir -p "$work/r$round/cp$i"
    "$exe" controlplane --data-dir "$work/r$round/cp$i" --api-port 0 --admin-token "$token" \
      --pool-size 2 --pool-min-ready 0 --pool-max 2 --pool-ports "$ports" \
      --gateway-inactivity-timeout off --gateway-autosave-interval 1h \
      --store postgres --postgres "Host=127.0.0.1;Port=$port;Username=postgres;Database=$database" \
      >"$work/r$round/cp$i/out" 2>"$work/r$round/cp$i/err" &
    pids+=($!) cps+=($!)
  done
  for i in 0 1 2; do
    for _ in $(seq 300); do grep -q '^  API:' "$work/r$round/cp$((i + 1))/out" && break; sleep 0.1; done
    apis+=("$(awk '/^  API:/ {print $2}' "$work/r$round/cp$((i + 1))/out")")
  done
  leader=""
  for _ in $(seq 300); do
    for i in 0 1 2; do [ "$(leads "${apis[$i]}")" = True ] && leader=$i; done
    [ -n "$leader" ] && break; sleep 0.1
  done
  for _ in $(seq 600); do [ "$(gateways "${apis[$leader]}" | count_state ready)" = 2 ] && break; sleep 0.1; done
  survivors=($(for i in 0 1 2; do if [ "$i" != "$leader" ]; then echo "$i"; fi; done))
  api="${apis[${survivors[0]}]}"
  workers="$(gateways "$api" | python3 -c 'import json,sys; print(" ".join(sorted(g["gateway_id"] for g in json.load(sys.stdin))))')"

  org="$(curl -sf "${auth[@]}" -d '{"name":"Failover bench"}' "$api/orgs" | json organization_id)"
  gateway_id="$(curl -sf "${auth[@]}" -d "{\"organization_id\":\"$org\"}" "$api/gateway/start" | json gateway_id)"
  address="$(gateways "$api" | python3 -c 'import json,sys; print(next(g["address"] for g in json.load(sys.stdin) if g["gateway_id"]==sys.argv[1]))' "$gateway_id")"
  project="$(python3 -c 'import uuid; print(uuid.uuid4())')"
  edit="$(printf 'edited before the kill, round %s' "$round" | base64 -w0)"
  curl -sf -o /dev/null -X PUT "${auth[@]}" -d "{\"state\":\"$edit\"}" "$address/projects/$project/state"

  kill -9 "${cps[$leader]}"
  killed="$(now)"
  new_leader=""
  for _ in $(seq 300); do
    for i in "${survivors[@]}"; do [ "$(leads "${apis[$i]}")" = True ] && new_leader="$(since "$killed")"; done
    [ -n "$new_leader" ] && break; sleep 0.05
  done
  released=""
  for _ in $(seq 600); do
    status="$(curl -s -o /dev/null -w '%{http_code}' -X POST "${auth[@]}" "${apis[${survivors[1]}]}/gateways/$gateway_id/release")"
    [ "$status" = 200 ] && released="$(since "$killed")" && break
    sleep 0.05
  done
  again="$(curl -sf "${auth[@]}" -d "{\"organization_id\":\"$org\"}" "$api/gateway/start" | json gateway_id)"
  address="$(gateways "$api" | python3 -c 'import json,sys; print(next(g["address"] for g in json.load(sys.stdin) if g["gateway_id"]==sys.argv[1]))' "$again")"
  read_back="$(curl -sf "${auth[@]}" "$address/projects/$project/state" | json state)"
  live="$(gateways "$api" | python3 -c 'import json,sys; print(" ".join(sorted(g["gateway_id"] for g in json.load(sys.stdin) if g["state"] != "gone")))')"
  echo "round $round: new leader after ${new_leader:-?} s, release through a survivor after ${released:-never} s," \
    "edit $( [ "$read_back" = "$edit" ] && echo kept || echo LOST ), workers $( [ "$live" = "$workers" ] && echo 'all kept' || echo REPLACED )"

  for i in "${survivors[@]}"; do kill -TERM "${cps[$i]}"; done
  for i in "${survivors[@]}"; do wait "${cps[$i]}" 2>/dev/null || true; done
  wait "${cps[$leader]}" 2>/dev/null || true
done
