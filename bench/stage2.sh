#!/usr/bin/env bash
# Stage 2 overhead: the same requests with wrk straight to a container's endpoint, and through
# the gateway that serves its organization (Host uc-{container}.org-{id}.{domain}).
#   bench/stage2.sh [seconds] [connections]
# Starts the built demiurge (`up`, pool of 1, no inactivity release) on free ports with a
# throwaway data directory, allocates one organization's gateway, creates a container there and
# registers an nginx on a free loopback port as its endpoint. The "container" answers a small
# body (/small) and a 64 KiB file (/64k). Prints one summary line per target.
set -euo pipefail
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds="${1:-10}"
connections="${2:-32}"

command -v wrk >/dev/null || { echo "bench/stage2.sh needs wrk: apt-get install wrk" >&2; exit 1; }
command -v nginx >/dev/null || { echo "bench/stage2.sh needs nginx: apt-get install nginx" >&2; exit 1; }
"$root/demiurge" --version >/dev/null   # builds once

work="$(mktemp -d)"
token="bench-admin-token-$(date +%s%N)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
json() { python3 -c 'import json,sys; v=json.load(sys.stdin); exec("for k in sys.argv[1:]: v=v[int(k)] if isinstance(v,list) else v[k]"); print(v)' "$@"; }

# The container: nginx on loopback, one worker, no logs.
backend_port="$(free_port)"
chmod 755 "$work"   # nginx workers run as nobody when started as root
mkdir -p "$work/nginx/html"
printf 'hello from the container\n' >"$work/nginx/html/small"
head -c 65536 /dev/zero | tr '\0' 'x' >"$work/nginx/html/64k"
cat >"$work/nginx/nginx.conf" <<NGINX
worker_processes 1;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/nginx/body; proxy_temp_path $work/nginx/proxy; fastcgi_temp_path $work/nginx/fastcgi;
  uwsgi_temp_path $work/nginx/uwsgi; scgi_temp_path $work/nginx/scgi;
  server { listen 127.0.0.1:$backend_port; root $work/nginx/html; default_type text/plain; }
}
NGINX
nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -g 'daemon off;' &
pids+=($!)

"$root/artifacts/demiurge/demiurge" up --data-dir "$work/data" --api-port 0 --admin-token "$token" \
  --pool-size 1 --pool-min-ready 0 --pool-max 1 --gateway-inactivity-timeout off >"$work/out" 2>"$work/err" &
pids+=($!)
for _ in $(seq 100); do grep -q '^  API:' "$work/out" && break; sleep 0.1; done
api="$(awk '/^  API:/ {print $2}' "$work/out")"
[ -n "$api" ] || { cat "$work/out" "$work/err" >&2; exit 1; }
auth=(-H "Authorization: Bearer $token" -H 'Content-Type: application/json')

org="$(curl -sf "${auth[@]}" -d '{"name":"Stage 2 bench"}' "$api/orgs" | json organization_id)"
for _ in $(seq 100); do
  started="$(curl -s "${auth[@]}" -d "{\"organization_id\":\"$org\"}" "$api/gateway/start")"
  grep -q gateway_hostname <<<"$started" && break; sleep 0.1
done
gateway_id="$(json gateway_id <<<"$started")"
hostname="$(json gateway_hostname <<<"$started")"
gateway="$(curl -sf "${auth[@]}" "$api/gateways" | python3 -c 'import json,sys; print(next(g["address"] for g in json.load(sys.stdin) if g["gateway_id"]==sys.argv[1]))' "$gateway_id")"
container="$(python3 -c 'import uuid; print(uuid.uuid4())')"
container_token="$(curl -sf "${auth[@]}" -d "{\"container_id\":\"$container\",\"redirect_uris\":[\"http://uc-$container.$hostname/cb\"]}" "$gateway/containers" | json container_token)"
curl -sf -o /dev/null -X PUT -H "Authorization: Bearer $container_token" -H 'Content-Type: application/json' \
  -d "{\"url\":\"http://127.0.0.1:$backend_port\"}" "$gateway/containers/$container/endpoint"
host="uc-$container.$hostname"
curl -sf -o /dev/null -H "Host: $host" "$gateway/small" || { echo "stage 2 does not answer for $host at $gateway:" >&2; curl -s -H "Host: $host" "$gateway/small" >&2; exit 1; }

run() {  # name, url, extra wrk args...
  local name="$1" url="$2"; shift 2
  wrk -t2 -c"$connections" -d"${seconds}s" --latency "$@" "$url" >"$work/wrk"
  awk -v name="$name" '
    /Requests\/sec/ { rps = $2 }
    /^ +50%/ { p50 = $2 } /^ +99%/ { p99 = $2 }
    / requests in / { total = $1 }
    /Non-2xx/ { errors = $NF }
    END { printf "%-30s %10s req/s   p50 %8s   p99 %8s   requests %s   non-2xx %s\n", name, rps, p50, p99, total, errors + 0 }' "$work/wrk"
}

echo "container (nginx) on 127.0.0.1:$backend_port, gateway $gateway_id on $gateway, ${seconds}s per target, $connections connections, $(nproc) cores"
run "direct /small" "http://127.0.0.1:$backend_port/small"
run "stage 2 /small" "$gateway/small" -H "Host: $host"
run "direct /64k" "http://127.0.0.1:$backend_port/64k"
run "stage 2 /64k" "$gateway/64k" -H "Host: $host"
run "gateway's own /collab/ping" "$gateway/collab/ping"
