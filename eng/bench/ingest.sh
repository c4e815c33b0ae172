#!/usr/bin/env bash
# Whole-flow ingest benchmark (issue 5): the node, a bare Kestrel endpoint, nginx and Redis Streams, all loaded from this
# machine in one run. Needs wrk, nginx-light and redis-server (apt-get install -y wrk nginx-light redis-server) and a
# Release build (dotnet build -c Release Runtime/Vanus.Cli). Servers bind to 127.0.0.1 and are stopped by PID at the end.
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=${DURATION:-10}
V="dotnet Runtime/Vanus.Cli/bin/Release/net10.0/vanus.dll"
WORK=$(mktemp -d /tmp/vanus-bench.XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

wait_port() { for _ in $(seq 1 300); do (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0; sleep 0.1; done; echo "port $1 never opened" >&2; exit 1; }
rps() { awk '/Requests\/sec/ {print $2}'; }
# Each figure follows a 5-second warm-up against the same URL (JIT tiers, connection pools, page cache), not counted.
wrk_run() { wrk -t2 -c64 -d5s -s "$1" "$2" > /dev/null; wrk -t2 -c64 -d"${DURATION}s" -s "$1" "$2" | tee -a "$WORK/wrk.log" | rps; }

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr), $(dotnet --version)"

# The node, Release, embedded defaults, interval sync.
$V node --port 18080 --data "$WORK/data" > "$WORK/node.log" 2>&1 & PIDS+=($!)
for _ in $(seq 1 600); do grep -q "vanus node ready" "$WORK/node.log" && break; sleep 0.1; done
curl -sf -XPOST 127.0.0.1:18080/api/v1/namespaces/default/eventbuses -H 'content-type: application/json' -d '{"name":"bench","eventlogs":2,"sync":"interval"}' > /dev/null
# The ceilings: bare Kestrel answering 204, nginx answering 204.
$V bench bare-http --port 18081 > /dev/null 2>&1 & PIDS+=($!)
mkdir -p "$WORK/nginx/logs"
cat > "$WORK/nginx/nginx.conf" <<CONF
worker_processes 2; daemon off; error_log stderr error; pid $WORK/nginx/nginx.pid;
events { worker_connections 1024; }
http { access_log off; client_body_temp_path $WORK/nginx; server { listen 127.0.0.1:18082; location / { return 204; } } }
CONF
nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" & PIDS+=($!)
wait_port 18081; wait_port 18082

echo "wrk -t2 -c64 -d${DURATION}s, requests/s:"
echo "  nginx return 204:            $(wrk_run eng/bench/single.lua http://127.0.0.1:18082/)"
echo "  bare Kestrel 204:            $(wrk_run eng/bench/single.lua http://127.0.0.1:18081/)"
single=$(wrk_run eng/bench/single.lua http://127.0.0.1:18080/gateway/bench)
echo "  node, single binary events:  $single"
batch=$(wrk_run eng/bench/batch100.lua http://127.0.0.1:18080/gateway/bench)
echo "  node, batches of 100:        $batch requests/s = $(awk -v r="$batch" 'BEGIN {printf "%.0f", r*100}') events/s"
grep -E "Non-2xx|Socket errors" "$WORK/wrk.log" && echo "  (errors above)" || echo "  (no errors)"

echo "vanus bench ingest --connections 64 --duration $DURATION:"
echo "  single: $($V bench ingest --endpoint http://127.0.0.1:18080 --eventbus bench --batch 1 --connections 64 --duration "$DURATION" --size 263 --json)"
echo "  batch 100: $($V bench ingest --endpoint http://127.0.0.1:18080 --eventbus bench --batch 100 --connections 64 --duration "$DURATION" --size 263 --json)"

# The peer: Redis Streams with every write fsynced, pipelined XADD of 263-byte entries.
redis-server --port 18083 --bind 127.0.0.1 --dir "$WORK" --appendonly yes --appendfsync always --save "" > "$WORK/redis.log" 2>&1 & PIDS+=($!)
wait_port 18083
echo "redis-benchmark XADD (appendfsync always, -P 100, -c 64):"
redis-benchmark -p 18083 -c 64 -P 100 -n 2000000 -q XADD bench "*" data "$(head -c 263 /dev/zero | tr "\\0" x)" 2>/dev/null | tr "\r" "\n" | grep "requests per second" | tail -1
