#!/usr/bin/env bash
# The one test command (CI runs exactly this): installs what the tests need, then runs them all.
set -euo pipefail
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
cd "$(dirname "${BASH_SOURCE[0]}")"

# Debian packages the tests start for real: nginx, PowerDNS, dig, PostgreSQL and Docker.
packages=(curl nginx pdns-server pdns-backend-sqlite3 bind9-dnsutils postgresql docker.io)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
  echo "Installing ${missing[*]}..."
  apt-get update -qq
  # The tests start each server themselves on loopback; keep the packages' own services
  # (nginx on :80, pdns on :53, a PostgreSQL cluster) from starting at install.
  policy=/usr/sbin/policy-rc.d
  own_policy=0
  if [[ ! -e $policy ]]; then printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && own_policy=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
  if ((own_policy)); then rm -f "$policy"; fi
fi

# The room and codec tests run the real Yjs clients under node (tests/node, pinned by its lock file).
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "Installing nodejs and npm..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm
fi
npm ci --prefix tests/node --no-audit --no-fund --loglevel=error

# The Docker-backed tests need an engine: start one when none answers, and leave it running.
# No bridge and no iptables rules: gateway containers use the host's network on loopback.
if ! docker info >/dev/null 2>&1; then
  dockerd_log="$(mktemp -t dockerd.XXXXXX.log)"
  echo "Starting dockerd (log: $dockerd_log)..."
  setsid dockerd --bridge=none --iptables=false >"$dockerd_log" 2>&1 < /dev/null &
  for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 0.5; done
  docker info >/dev/null 2>&1 || { echo "dockerd did not start:"; tail -20 "$dockerd_log"; exit 1; }
fi

# The whole suite twice: on the embedded store (SQLite), then with every control plane on
# PostgreSQL (one throwaway cluster for the run, a database per control plane).
sqlite_log="$(mktemp)" postgres_log="$(mktemp)"
trap 'rm -f "$sqlite_log" "$postgres_log"' EXIT
status=0
dotnet test Demiurge.slnx -c Release 2>&1 | tee "$sqlite_log" || status=$?
# Tests that always use PostgreSQL (its store contract, several control planes) ran already, and
# the Yjs codec touches no store.
DEMIURGE_TEST_STORE=postgres dotnet test Demiurge.slnx -c Release --no-build \
  --filter 'FullyQualifiedName!~Demiurge.Tests.ControlPlanes&FullyQualifiedName!~Demiurge.Tests.Store.PostgresStoreTests&FullyQualifiedName!~Demiurge.Yjs.Tests' \
  2>&1 | tee "$postgres_log" || status=$?

# One plain summary line over every test assembly and both stores.
count() {
  awk '/(Passed|Failed)! +- +Failed:/ {
         gsub(/,/, ""); for (i = 1; i <= NF; i++) { if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) }
       }
       END { printf "%d %d %d", p, f, s }' "$1"
}
read -r sp sf ss <<<"$(count "$sqlite_log")"
read -r pp pf ps <<<"$(count "$postgres_log")"
printf '%d passed, %d failed, %d skipped (sqlite: %d/%d/%d, postgres: %d/%d/%d)\n' \
  $((sp + pp)) $((sf + pf)) $((ss + ps)) "$sp" "$sf" "$ss" "$pp" "$pf" "$ps"
exit "$status"
