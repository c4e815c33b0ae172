#!/usr/bin/env bash
# Runs a local cluster of N nodes (./build.sh --target=Cluster --nodes=3): node i listens on HTTP 808i and cluster 405i,
# keeps its data in ./data/n<i>, and the first three are the seeds (with three or more, the catalog is replicated on them).
# Ctrl-C stops the nodes this script started, by PID.
set -euo pipefail
NODES=${1:-3}
if ! [[ "$NODES" =~ ^[1-9]$ ]]; then
  echo "--nodes must be 1 to 9, not '$NODES'" >&2
  exit 2
fi

V="Runtime/Vanus.Cli/bin/Release/net10.0/vanus.dll"
SEEDS=""
for i in $(seq 1 $(( NODES < 3 ? NODES : 3 ))); do
  SEEDS="${SEEDS:+$SEEDS,}akka.tcp://vanus@127.0.0.1:405$i"
done

PIDS=()
stop() {
  echo "stopping ${#PIDS[@]} nodes"
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait
  exit 0
}
trap stop INT TERM

for i in $(seq 1 "$NODES"); do
  mkdir -p "data/n$i"
  dotnet "$V" node --name "n$i" --port "808$i" --cluster-port "405$i" --seeds "$SEEDS" --data "./data/n$i" > "data/n$i/node.log" 2>&1 &
  PIDS+=($!)
done

for i in $(seq 1 "$NODES"); do
  for _ in $(seq 1 900); do grep -q "vanus node ready" "data/n$i/node.log" && break; sleep 0.1; done
  if grep -q "vanus node ready" "data/n$i/node.log"; then
    echo "n$i: http://127.0.0.1:808$i (cluster 127.0.0.1:405$i, data ./data/n$i, log ./data/n$i/node.log)"
  else
    echo "n$i did not become ready; see ./data/n$i/node.log" >&2
  fi
done

echo "Ctrl-C stops the cluster"
wait
