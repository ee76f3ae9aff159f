#!/usr/bin/env bash
# PostgreSQL benchmarks, on a throwaway cluster (initdb in a temporary folder, a free loopback
# port, run as the postgres user when root):
#   1. the gateway pool benchmark (bench/Demiurge.Bench) with 1 and with 3 control planes on
#      one database: allocations per second and allocate-to-ready;
#   2. claim throughput of a FOR UPDATE SKIP LOCKED queue (the claim's locking pattern), in jobs
#      per second, with pgbench at 1, 4 and 16 clients, next to plain FOR UPDATE.
#   bench/postgres.sh [cycles] [concurrency] [pgbench-seconds]     (cycles 0: the claim queue only)
set -euo pipefail
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cycles="${1:-200}" concurrency="${2:-8}" seconds="${3:-10}"
bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
[ -x "$bin/postgres" ] || { echo "bench/postgres.sh needs PostgreSQL: apt-get install postgresql" >&2; exit 1; }
"$root/demiurge" --version >/dev/null   # builds once

work="$(mktemp -d)"
as_postgres=()
if [ "$(id -u)" = 0 ]; then chown postgres "$work"; as_postgres=(setpriv --reuid postgres --regid postgres --init-groups --); fi
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
"${as_postgres[@]}" "$bin/initdb" -D "$work/data" -U postgres -A trust -E UTF8 --locale=C --no-sync >/dev/null
"${as_postgres[@]}" "$bin/postgres" -D "$work/data" -p "$port" -h 127.0.0.1 -k "$work" \
  -c max_connections=300 -c log_min_messages=fatal >"$work/log" 2>&1 &
pg=$!
trap 'kill -INT $pg 2>/dev/null; wait $pg 2>/dev/null; rm -rf "$work"' EXIT
psql=("$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -v ON_ERROR_STOP=1 -qAt)
for _ in $(seq 100); do "${psql[@]}" -c 'SELECT 1' postgres >/dev/null 2>&1 && break; sleep 0.1; done
echo "PostgreSQL $("${psql[@]}" -c 'SHOW server_version' postgres) on port $port (fsync on, defaults)"

for planes in $( ((cycles > 0)) && echo 1 3 ); do
  "${psql[@]}" -c "CREATE DATABASE pool_$planes" postgres
  echo "== gateway pool, $planes control plane(s)"
  DEMIURGE_BENCH_POSTGRES="Host=127.0.0.1;Port=$port;Username=postgres;Database=pool_$planes" \
    dotnet run -c Release --project "$root/bench/Demiurge.Bench" -- "$cycles" "$concurrency" "$planes"
done

"${psql[@]}" -c 'CREATE DATABASE queue' postgres
cat >"$work/skip.sql" <<'SQL'
UPDATE jobs SET state = 'taken' WHERE id = (SELECT id FROM jobs WHERE state = 'ready' ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED);
SQL
cat >"$work/wait.sql" <<'SQL'
UPDATE jobs SET state = 'taken' WHERE id = (SELECT id FROM jobs WHERE state = 'ready' ORDER BY id LIMIT 1 FOR UPDATE);
SQL
for mode in skip wait; do
  for clients in 1 4 16; do
    "${psql[@]}" queue -c 'SET client_min_messages = warning' -c "DROP TABLE IF EXISTS jobs; CREATE TABLE jobs (id BIGINT PRIMARY KEY, state TEXT NOT NULL);
      INSERT INTO jobs SELECT g, 'ready' FROM generate_series(1, 500000) g; CREATE INDEX jobs_ready ON jobs (id) WHERE state = 'ready';" -c 'VACUUM ANALYZE jobs' 
    tps="$("$bin/pgbench" -h 127.0.0.1 -p "$port" -U postgres -n -f "$work/$mode.sql" -c "$clients" -j "$(( clients < 2 ? 1 : 2 ))" -T "$seconds" queue 2>/dev/null \
      | awk '/^tps/ {printf "%.0f", $3}')"
    taken="$("${psql[@]}" queue -c "SELECT COUNT(*) FROM jobs WHERE state = 'taken'")"
    echo "claims, FOR UPDATE $( [ $mode = skip ] && echo 'SKIP LOCKED' || echo '(waits)'), $clients clients: $tps jobs/s ($taken taken)"
  done
done
