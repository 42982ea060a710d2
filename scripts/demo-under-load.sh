#!/usr/bin/env bash
# ./parity demo ten times in a row while a full backfill of flights-3m.parquet loads the machine
# in a loop (issue 12). Not part of CI: about an hour on 2 cores. Logs in out/demo-under-load/.
set -u
cd "$(dirname "${BASH_SOURCE[0]}")/.."
[[ -s data/full/flights-3m.parquet ]] || scripts/fetch-data.sh
W=out/demo-under-load
mkdir -p "$W"
export W
setsid bash -c 'i=0; while true; do i=$((i+1)); rm -rf "$W/load-out"; ./parity backfill --events data/full/flights-3m.parquet --out "$W/load-out" --progress-interval PT0S > "$W/load-$i.log" 2>&1; done' &
LOAD=$!
sleep 20
pass=0
for i in $(seq 1 10); do
  start=$(date +%s)
  rm -rf "$W/demo-$i"; ./parity demo --out "$W/demo-$i" > "$W/demo-run-$i.log" 2>&1
  rc=$?
  [[ $rc == 0 ]] && pass=$((pass+1))
  echo "run $i: exit $rc, $(( $(date +%s) - start )) s, load $(cut -d' ' -f1-3 /proc/loadavg)"
  grep -E "parity:|latency:|late events|batch parity|predictions out" "$W/demo-run-$i.log" | sed 's/^/    /'
done
kill -- -$LOAD 2>/dev/null
echo "passed $pass/10"
