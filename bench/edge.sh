#!/usr/bin/env bash
# Edge benchmarks, embedded edge against nginx, on loopback in throwaway folders:
#   bench/edge.sh [routes|weighted] [embedded|nginx] [sizes]
#                                       route update time until the new host answers, with
#                                       N routes already set (default 1000 10000 100000); "weighted":
#                                       every route to two weighted destinations (nginx upstreams)
#   bench/edge.sh proxy [s] [c] [rounds] wrk through each edge to the same backend, alternating
#                                       rounds in one run (default 10 s, 32 connections, 3 rounds)
# Needs nginx and wrk (apt-get install nginx wrk). Prints one summary table.
set -euo pipefail
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || { echo "bench/edge.sh needs nginx: apt-get install nginx" >&2; exit 1; }
dotnet build -c Release "$root/bench/Demiurge.EdgeBench" -v quiet -nologo >/dev/null
bench="$root/bench/Demiurge.EdgeBench/bin/Release/net10.0/Demiurge.EdgeBench.dll"
if [ "${1:-}" = proxy ]; then
  command -v wrk >/dev/null || { echo "bench/edge.sh proxy needs wrk: apt-get install wrk" >&2; exit 1; }
  shift
  exec dotnet "$bench" proxy "${1:-10}" "${2:-32}" "${3:-3}"
fi
mode=routes
if [ "${1:-}" = routes ] || [ "${1:-}" = weighted ]; then mode=$1; shift; fi
exec dotnet "$bench" "$mode" "$@"
