#!/usr/bin/env bash
# Runs the readers' randomized robustness properties (ReaderRobustnessTest: CSV files, Kafka JSON
# records and Parquet files of random bytes or of valid input with random edits) with many more
# tries than the build does. Usage: scripts/fuzz-readers.sh [TRIES per property, default 20000]
# Exit status: Maven's (non-zero when a property found an input the readers mishandle; the
# report, with the shrunk sample and its seed, is in features/target/surefire-reports).
set -uo pipefail
cd "$(dirname "$0")/.."
tries="${1:-20000}"
log="$(mktemp)"
mvn -q -B install -DskipTests -pl features -am || exit $?
start=$(date +%s)
mvn -B -pl features test -Dtest=ReaderRobustnessTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Djqwik.tries.default="$tries" -Djqwik.reporting.onlyfailures=false >"$log" 2>&1
status=$?
grep -E "tries =|checks =|Tests run:|seed =|FAIL" "$log"
echo "fuzz-readers: $tries tries per property in $(( $(date +%s) - start )) s, exit $status (log: $log)"
exit $status
