#!/usr/bin/env bash
# Demiurge.Yjs against yjs under node, on the same updates in one run:
#   bench/yjs.sh [updates] [rounds]    (default 10000 updates, 5 rounds; medians)
# Three clients type, delete and set map keys, one update each; both sides merge them, read the merge's state
# vector and diff it against a peer with the first half. Also checks that our merge and diff are yjs's bytes.
# Needs node and `npm ci --prefix tests/node`.
set -euo pipefail
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
[ -d "$root/tests/node/node_modules/yjs" ] || { echo "bench/yjs.sh needs yjs: npm ci --prefix tests/node" >&2; exit 1; }
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
dotnet build -c Release "$root/bench/Demiurge.Bench" -v quiet -nologo >/dev/null
echo "yjs:          $(node "$root/tests/node/yjs-bench.mjs" "${1:-10000}" "${2:-5}" "$dir")"
echo "Demiurge.Yjs: $(dotnet "$root/bench/Demiurge.Bench/bin/Release/net10.0/Demiurge.Bench.dll" yjs "$dir" "${2:-5}")"
