#!/usr/bin/env bash
# Timer-service benchmark (issue 7) against a Release node (dotnet build -c Release Vanus.sln), on this machine:
#  1. expirations: 500,000 delayed events due over 10 s (50,000/s), twice, then 1,500,000 (150,000/s): lateness (store time in the target bus minus
#     delivery time), expirations/s, early count, and inserts/s (durable: the timer logs sync before the 200);
#  2. the insert peer in the same run: batched ingest of the same events into a plain bus synced `always`;
#  3. with MEMORY=1, a fresh node holding 10,000,000 timers due within the next 10 minutes: bytes per pending timer
#     (node RSS growth / pending), then all of them firing.
# Every node binds to 127.0.0.1 and is stopped by PID at the end.
set -euo pipefail
cd "$(dirname "$0")/../.."
V="dotnet Runtime/Vanus.Cli/bin/Release/net10.0/vanus.dll"
WORK=$(mktemp -d /tmp/vanus-bench.XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

start_node() { # data folder, port
  $V node --port "$2" --data "$WORK/$1" > "$WORK/$1.log" 2>&1 & PIDS+=($!)
  for _ in $(seq 1 600); do grep -q "vanus node ready" "$WORK/$1.log" && return; sleep 0.1; done
  echo "node $1 did not start"; cat "$WORK/$1.log"; exit 1
}

summary() { python3 -c '
import sys, json
for line in sys.stdin:
    d = json.loads(line)
    print("  %d timers: %.0f inserts/s; lateness p50 %.1f ms, p99 %.1f ms, max %.1f ms; %.0f expirations/s (peak %.0f/s); early %d, missing %d; %s bytes/timer (pending %d)" % (
        d["timers"], d["inserts_per_sec"], d["lateness_p50_ms"], d["lateness_p99_ms"], d["lateness_max_ms"],
        d["expirations_per_sec"], d["expirations_peak_per_sec"], d["early"], d["missing"],
        "%.0f" % d["bytes_per_timer"] if d["bytes_per_timer"] is not None else "n/a", d["pending"]))
'; }

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr), $(dotnet --version)"
start_node data 18080
echo "vanus bench timer --window 10 --batch 500 --connections 8 --size 64 (50,000 and 150,000 expirations/s):"
for n in 500000 500000 1500000; do
  $V bench timer --endpoint http://127.0.0.1:18080 --timers "$n" --window 10 --lead 30 --batch 500 --connections 8 --size 64 --json | summary
done

curl -sf -XPOST 127.0.0.1:18080/api/v1/namespaces/default/eventbuses -H 'content-type: application/json' -d '{"name":"peer","eventlogs":2,"sync":"always"}' > /dev/null
echo "peer, plain batched ingest into a bus synced always: $($V bench ingest --endpoint http://127.0.0.1:18080 --eventbus peer --batch 500 --connections 8 --duration 10 --size 64 --json)"

if [ "${MEMORY:-0}" = 1 ]; then
  start_node memory 18081
  echo "vanus bench timer --timers 10000000 --window 600 --lead 200 --batch 1000 --connections 8 --size 64 (fresh node):"
  $V bench timer --endpoint http://127.0.0.1:18081 --timers 10000000 --window 600 --lead 200 --batch 1000 --connections 8 --size 64 --grace 120 --json | summary
  echo "  node peak RSS (VmHWM): $(awk '/VmHWM/ {print $2, $3}' /proc/"${PIDS[-1]}"/status)"
fi
