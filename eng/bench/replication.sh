#!/usr/bin/env bash
# Replicated eventlogs (issue 14), one run: batched ingest into a replicas:3 bus on three local nodes against replicas:1
# on one node (both sync always), failover times over KILLS kills of the leader, and the catch-up of a replica stopped for
# STOPPED seconds under load. Needs a Release build (dotnet build -c Release Runtime/Vanus.Cli). Servers bind to
# 127.0.0.1 and are stopped by PID at the end.
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=${DURATION:-10}
KILLS=${KILLS:-20}
STOPPED=${STOPPED:-60}
V="dotnet Runtime/Vanus.Cli/bin/Release/net10.0/vanus.dll"
WORK=$(mktemp -d /tmp/vanus-repl.XXXXXX)
declare -A PID
cleanup() { for p in "${PID[@]}"; do kill -9 "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
API=api/v1/namespaces/default/eventbuses
SEEDS="akka.tcp://vanus@127.0.0.1:14051,akka.tcp://vanus@127.0.0.1:14052,akka.tcp://vanus@127.0.0.1:14053"

declare -A LOG
start() { # name index: each start logs to a file of its own, so "ready" is this start's
  LOG[$1]="$WORK/$1.$(date +%s%N).log"
  $V node --name "$1" --port "1808$2" --cluster-port "1405$2" --seeds "$SEEDS" --data "$WORK/$1" > "${LOG[$1]}" 2>&1 &
  PID[$1]=$!
}
ready() { for _ in $(seq 1 900); do grep -q "vanus node ready" "${LOG[$1]}" && return 0; sleep 0.1; done; echo "$1 never became ready" >&2; exit 1; }
now_ms() { date +%s%3N; }
ingest() { $V bench ingest --endpoint "$1" --eventbus "$2" --batch 100 --connections 32 --duration "$DURATION" --size 263 --json; }
eps() { sed -E 's/.*"events_per_sec":([0-9.]+).*/\1/'; }

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr), $(dotnet --version)"

# 1. replicas:1 on one node.
LOG[solo]="$WORK/solo.log"
$V node --name solo --port 18090 --data "$WORK/solo" > "${LOG[solo]}" 2>&1 & PID[solo]=$!
ready solo
curl -sf -XPOST 127.0.0.1:18090/$API -H 'content-type: application/json' -d '{"name":"one","eventlogs":2,"sync":"always"}' > /dev/null
ingest http://127.0.0.1:18090 one > /dev/null # warm-up
one=$(ingest http://127.0.0.1:18090 one)
kill -TERM "${PID[solo]}"; wait "${PID[solo]}" 2>/dev/null || true; unset 'PID[solo]'
echo "replicas 1, one node, batches of 100, sync always: $one"

# 2. replicas:3 on three nodes, the load sent to node 1 (it forwards to each eventlog's leader).
for i in 1 2 3; do start "n$i" "$i"; done
for i in 1 2 3; do ready "n$i"; done
until curl -sf -XPOST 127.0.0.1:18081/$API -H 'content-type: application/json' -d '{"name":"three","eventlogs":2,"replicas":3,"sync":"always"}' > /dev/null; do sleep 0.5; done
ingest http://127.0.0.1:18081 three > /dev/null # warm-up
three=$(ingest http://127.0.0.1:18081 three)
echo "replicas 3, three nodes, batches of 100, sync always: $three"
awk -v a="$(echo "$three" | eps)" -v b="$(echo "$one" | eps)" 'BEGIN {printf "ratio replicas 3 / replicas 1: %.2f (goal >= 0.5)\n", a/b}'

# 3. Failover: a bus of one eventlog; its leader killed KILLS times; time from the kill to the first acknowledged append.
until curl -sf -XPOST 127.0.0.1:18081/$API -H 'content-type: application/json' -d '{"name":"fo","eventlogs":1,"replicas":3,"sync":"always"}' > /dev/null; do sleep 0.5; done
times=()
for k in $(seq 1 "$KILLS"); do
  leader=""
  until [ -n "$leader" ]; do
    for i in 1 2 3; do
      leader=$(curl -sf --max-time 5 127.0.0.1:1808$i/$API/fo 2>/dev/null | sed -nE 's/.*"leader":"([^"]+)".*/\1/p') && [ -n "$leader" ] && break
    done
  done
  idx=${leader#n}
  other=$(( idx % 3 + 1 ))
  kill -9 "${PID[$leader]}"; wait "${PID[$leader]}" 2>/dev/null || true
  t0=$(now_ms)
  until curl -sf --max-time 10 -o /dev/null -XPOST 127.0.0.1:1808$other/gateway/fo -H 'ce-specversion: 1.0' -H "ce-id: k$k-$(now_ms)" -H 'ce-source: /bench' -H 'ce-type: t' -d x; do :; done
  t=$(( $(now_ms) - t0 )); times+=("$t")
  echo "  kill $k: $leader; acknowledged again after $t ms"
  start "$leader" "$idx"; ready "$leader"
done
printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "failover over %d kills: median %d ms, max %d ms (goal <= 5000)\n", NR, a[int((NR+1)/2)], a[NR]}'

# 4. Catch-up: n3 killed (its data kept) for STOPPED s under load into "three", then started again; the time until its
#    copy of each eventlog holds what the leader held when it came back, and the bytes it took. (A node paused with
#    SIGSTOP that long is downed by the split-brain resolver and must restart anyway.)
kill -9 "${PID[n3]}"; wait "${PID[n3]}" 2>/dev/null || true
DURATION=$STOPPED ingest http://127.0.0.1:18081 three > /dev/null
before=$(du -sb "$WORK/n3/eventlogs" | cut -f1)
info=$(curl -sf 127.0.0.1:18081/$API/three)
target0=$(echo "$info" | sed -nE 's/.*"id":0,"earliest":[0-9]+,"next":([0-9]+).*/\1/p')
target1=$(echo "$info" | sed -nE 's/.*"id":1,"earliest":[0-9]+,"next":([0-9]+).*/\1/p')
t0=$(now_ms)
start n3 3
for e in 0 1; do
  target=$([ "$e" = 0 ] && echo "$target0" || echo "$target1")
  until curl -sf "127.0.0.1:18081/$API/three/events?eventlog=$e&offset=$((target - 1))&count=1&replica=n3" 2>/dev/null | grep -q '"id"'; do sleep 0.05; done
done
t=$(( $(now_ms) - t0 ))
after=$(du -sb "$WORK/n3/eventlogs" | cut -f1)
awk -v b=$((after - before)) -v t=$t 'BEGIN {printf "catch-up after %s s down: %.1f MB in %.1f s from its start (process start included) = %.1f MB/s\n", '"$STOPPED"', b/1e6, t/1000, b/1e6/(t/1000)}'
