#!/usr/bin/env bash
# DNS: queries per second and latency with dnsperf, and the time from a record change until an
# answer shows it, for Demiurge's embedded server (`demiurge dns`) and PowerDNS 4.7 (gsqlite3,
# default caches) serving the same zone, side by side in one run.
#   bench/dns.sh [organizations] [seconds] [rounds]
# Both servers get the zone bench.test with the same records: SOA, NS and for each organization
# org-{i}.bench.test A and *.org-{i}.bench.test A. dnsperf sends a shuffled mix of 40% exact
# names, 40% names under a wildcard and 20% names that do not exist, alternating the servers
# for each round. Everything listens on 127.0.0.1 only.
set -euo pipefail
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
organizations="${1:-10000}"
seconds="${2:-10}"
rounds="${3:-3}"
zone=bench.test
schema=/usr/share/pdns-backend-sqlite3/schema/schema.sqlite3.sql

for tool in dnsperf dig pdns_server sqlite3 curl; do
  command -v "$tool" >/dev/null || { echo "bench/dns.sh needs $tool (dnsperf, bind9-dnsutils, pdns-server, pdns-backend-sqlite3, sqlite3, curl)" >&2; exit 1; }
done
"$root/demiurge" --version >/dev/null   # builds once

work="$(mktemp -d)"
pids=()
samples=()
trap 'for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; rm -rf "$work"' EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

# --- Demiurge: `demiurge dns` over a SQLite store, filled directly (as the provider would) ---
"$root/artifacts/demiurge/demiurge" dns --data-dir "$work/demiurge" --domain "$zone" --dns-port 0 >"$work/demiurge.out" 2>&1 &
pids+=($!)
for _ in $(seq 100); do grep -q '^  DNS:' "$work/demiurge.out" && break; sleep 0.1; done
ours_port="$(awk '/^  DNS:/ {split($2, a, ":"); print a[2]}' "$work/demiurge.out")"
[ -n "$ours_port" ] || { cat "$work/demiurge.out" >&2; exit 1; }
{
  echo "BEGIN; UPDATE versions SET version = version + 1 WHERE name = 'dns';"
  seq "$organizations" | awk -v z="$zone" '{
    printf "INSERT INTO dns_record_sets VALUES (\x27org-%d.%s\x27, \x27A\x27, 60, \x27[\"127.0.0.1\"]\x27, (SELECT version FROM versions WHERE name = \x27dns\x27));\n", $1, z
    printf "INSERT INTO dns_record_sets VALUES (\x27*.org-%d.%s\x27, \x27A\x27, 60, \x27[\"127.0.0.1\"]\x27, (SELECT version FROM versions WHERE name = \x27dns\x27));\n", $1, z }'
  echo "COMMIT;"
} | sqlite3 "$work/demiurge/demiurge.db"

# --- PowerDNS: gsqlite3 with the same records, default caches, API on ---
pdns_dir="$work/pdns"; mkdir -p "$pdns_dir"
sqlite3 "$pdns_dir/pdns.db" <"$schema"
{
  echo "BEGIN; INSERT INTO domains (id, name, type) VALUES (1, '$zone', 'NATIVE');"
  echo "INSERT INTO records (domain_id, name, type, content, ttl, disabled, auth) VALUES (1, '$zone', 'SOA', 'ns.$zone hostmaster.$zone 1 3600 600 86400 10', 60, 0, 1);"
  echo "INSERT INTO records (domain_id, name, type, content, ttl, disabled, auth) VALUES (1, '$zone', 'NS', 'ns.$zone', 60, 0, 1);"
  seq "$organizations" | awk -v z="$zone" '{
    printf "INSERT INTO records (domain_id, name, type, content, ttl, disabled, auth) VALUES (1, \x27org-%d.%s\x27, \x27A\x27, \x27127.0.0.1\x27, 60, 0, 1);\n", $1, z
    printf "INSERT INTO records (domain_id, name, type, content, ttl, disabled, auth) VALUES (1, \x27*.org-%d.%s\x27, \x27A\x27, \x27127.0.0.1\x27, 60, 0, 1);\n", $1, z }'
  echo "COMMIT;"
} | sqlite3 "$pdns_dir/pdns.db"
pdns_port="$(free_port)"; api_port="$(free_port)"; key=bench-key
cat >"$pdns_dir/pdns.conf" <<EOF
launch=gsqlite3
gsqlite3-database=$pdns_dir/pdns.db
api=yes
api-key=$key
webserver=yes
webserver-address=127.0.0.1
webserver-port=$api_port
webserver-allow-from=127.0.0.0/8
local-address=127.0.0.1
local-port=$pdns_port
socket-dir=$pdns_dir
guardian=no
daemon=no
disable-syslog=yes
security-poll-suffix=
EOF
pdns_server --config-dir="$pdns_dir" >"$pdns_dir/log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do curl -sf -o /dev/null -H "X-API-Key: $key" "http://127.0.0.1:$api_port/api/v1/servers/localhost" && break; sleep 0.1; done

for port in "$ours_port" "$pdns_port"; do
  for _ in $(seq 100); do [ "$(dig @127.0.0.1 -p "$port" "org-$organizations.$zone" A +short)" = 127.0.0.1 ] && break; sleep 0.1; done
  [ "$(dig @127.0.0.1 -p "$port" "x.org-$organizations.$zone" A +short)" = 127.0.0.1 ] || { echo "server on port $port does not serve the zone" >&2; exit 1; }
done

# --- Throughput: the same shuffled query file against both, alternating, $rounds rounds ---
awk -v n="$organizations" -v z="$zone" 'BEGIN { srand(53); for (i = 0; i < 100000; i++) {
  o = int(rand() * n) + 1; r = rand();
  if (r < 0.4) printf "org-%d.%s A\n", o, z; else if (r < 0.8) printf "uc-%d.org-%d.%s A\n", i, o, z; else printf "none-%d.%s A\n", i, z } }' >"$work/queries"
perf() { dnsperf -s 127.0.0.1 -p "$1" -d "$work/queries" -l "$seconds" -c 4 -q 200 2>&1; }
for round in $(seq "$rounds"); do
  for server in demiurge powerdns; do
    port="$ours_port"; [ "$server" = powerdns ] && port="$pdns_port"
    perf "$port" >"$work/perf-$server-$round"
    qps="$(awk '/Queries per second/ {print $4}' "$work/perf-$server-$round")"
    latency="$(awk '/Average Latency/ {print $4 * 1000}' "$work/perf-$server-$round")"
    lost="$(awk '/Queries lost/ {print $3}' "$work/perf-$server-$round")"
    echo "$server $qps $latency $lost" >>"$work/perf"
    printf 'round %d %-9s %10.0f q/s  avg latency %6.2f ms  lost %s\n' "$round" "$server" "$qps" "$latency" "$lost"
  done
done

# --- Change to answer: write a record, then query every 10 ms until the answer shows it ---
# "cold": a name never asked for before. "cached": the name was just answered (NXDOMAIN for a
# new name, the old address for a changed one) and so sits in whatever caches the server has.
ours_change() { # name address
  sqlite3 -cmd ".timeout 10000" "$work/demiurge/demiurge.db" "BEGIN IMMEDIATE; UPDATE versions SET version = version + 1 WHERE name = 'dns';
    INSERT INTO dns_record_sets VALUES ('$1', 'A', 60, '[\"$2\"]', (SELECT version FROM versions WHERE name = 'dns'))
    ON CONFLICT (name, type) DO UPDATE SET \"values\" = excluded.\"values\", version = excluded.version; COMMIT;"
}
pdns_change() { # name address
  curl -sf -X PATCH -H "X-API-Key: $key" "http://127.0.0.1:$api_port/api/v1/servers/localhost/zones/$zone." \
    -d "{\"rrsets\":[{\"name\":\"$1.\",\"type\":\"A\",\"ttl\":60,\"changetype\":\"REPLACE\",\"records\":[{\"content\":\"$2\",\"disabled\":false}]}]}"
}
# Behind PowerDNS's back: straight into its database, as a second writer of a shared backend
# would; only this path waits for its caches (the API purges them on every PATCH).
pdnsdb_change() { # name address
  sqlite3 -cmd ".timeout 10000" "$pdns_dir/pdns.db" "INSERT INTO records (domain_id, name, type, content, ttl, disabled, auth) VALUES (1, '$1', 'A', '$2', 60, 0, 1);"
}
visible_after() { # server port name address warm: prints ms from the change until dig shows address
  local server="$1" port="$2" name="$3" address="$4" warm="$5" start
  [ "$warm" = yes ] && dig @127.0.0.1 -p "$port" "$name" A +short >/dev/null
  start="$(now_ms)"
  "${server}_change" "$name" "$address"
  until [ "$(dig @127.0.0.1 -p "$port" "$name" A +short +time=1 +tries=1)" = "$address" ]; do sleep 0.01; done
  echo $(( $(now_ms) - start ))
}
# One sample at a time, so that the samples do not compete for the CPU.
for server in ours pdns; do
  port="$ours_port"; [ "$server" = pdns ] && port="$pdns_port"
  for sample in 1 2 3; do
    visible_after "$server" "$port" "cold-$sample.$zone" 127.0.0.7 no >>"$work/visible-$server-cold"
    visible_after "$server" "$port" "new-$sample.$zone" 127.0.0.7 yes >>"$work/visible-$server-new"
    visible_after "$server" "$port" "org-$sample.$zone" "127.0.1.$sample" yes >>"$work/visible-$server-changed"
  done
done
# These wait out the caches (up to a minute each), so the three run side by side.
for sample in 1 2 3; do
  visible_after pdnsdb "$pdns_port" "db-$sample.$zone" 127.0.0.8 yes >>"$work/visible-pdnsdb" &
  samples+=($!)
done
wait "${samples[@]}"
echo
echo "Summary ($organizations organizations, $rounds rounds of ${seconds}s, medians):"
for server in demiurge powerdns; do
  awk -v s="$server" '$1 == s {print $2}' "$work/perf" | median | xargs printf "  %-9s %10.0f q/s" "$server"
  awk -v s="$server" '$1 == s {print $3}' "$work/perf" | median | xargs printf "  avg latency %.2f ms\n"
done
for kind in cold new changed; do
  printf "  change visible (%-7s): demiurge %6s ms   powerdns %6s ms\n" "$kind" \
    "$(median <"$work/visible-ours-$kind")" "$(median <"$work/visible-pdns-$kind")"
done
printf "  change visible (new, written to PowerDNS's database, not through its API): powerdns %s ms\n" "$(median <"$work/visible-pdnsdb")"
