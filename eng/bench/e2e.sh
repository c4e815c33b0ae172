#!/usr/bin/env bash
# Whole-flow delivery benchmark (issue 6): vanus bench e2e at 1,000 and 10,000 events/s against a Release node, each
# twice after a warm-up run, then the peer the goal is set against in the same run: the node's single-event ingest
# (wrk, as in ingest.sh). Needs wrk (apt-get install -y wrk) and a Release build (dotnet build -c Release Vanus.sln).
# The node binds to 127.0.0.1 and is stopped by PID at the end.
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=${DURATION:-10}
V="dotnet Runtime/Vanus.Cli/bin/Release/net10.0/vanus.dll"
WORK=$(mktemp -d /tmp/vanus-bench.XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr), $(dotnet --version)"
$V node --port 18080 --data "$WORK/data" > "$WORK/node.log" 2>&1 & PIDS+=($!)
for _ in $(seq 1 600); do grep -q "vanus node ready" "$WORK/node.log" && break; sleep 0.1; done

summary() { python3 -c '
import sys, json
for line in sys.stdin:
    d = json.loads(line)
    print("  rate %d/s: sent %d, delivered %d, duplicates %d, %.0f delivered/s, p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.1f ms" % (
        d["rate"], d["sent"], d["delivered"], d["duplicates"], d["events_per_sec"], d["p50_ms"], d["p99_ms"], d["p999_ms"], d["max_ms"]))
'; }

echo "vanus bench e2e --duration $DURATION --size 263 (binary mode, 1 eventlog, receiver on loopback):"
$V bench e2e --endpoint http://127.0.0.1:18080 --rate 1000 --duration 5 --json > /dev/null
for rate in 1000 1000 10000 10000; do
  $V bench e2e --endpoint http://127.0.0.1:18080 --rate "$rate" --duration "$DURATION" --size 263 --json | summary
done

curl -sf -XPOST 127.0.0.1:18080/api/v1/namespaces/default/eventbuses -H 'content-type: application/json' -d '{"name":"peer","eventlogs":1,"sync":"interval"}' > /dev/null
wrk -t2 -c64 -d5s -s eng/bench/single.lua http://127.0.0.1:18080/gateway/peer > /dev/null
echo "peer, wrk -t2 -c64 -d${DURATION}s single binary events into the node: $(wrk -t2 -c64 -d"${DURATION}s" -s eng/bench/single.lua http://127.0.0.1:18080/gateway/peer | awk '/Requests\/sec/ {print $2}') requests/s"
