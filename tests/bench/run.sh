#!/usr/bin/env bash
# Runs a benchmark harness from tests/src/test/java/dev/parity/tests/bench on the test classpath.
# Usage:
#   tests/bench/run.sh FeatureEngineBenchmark <events file> [full,sql] [parallelism]
#   tests/bench/run.sh ScoringBenchmark [records] [mlp|mlp:HIDDEN|linear]
#   tests/bench/run.sh PredictionModesBenchmark <events> <features.csv> <teacher> <online model> [share] [seed]
#   tests/bench/run.sh ChaosBenchmark <first seed> <last seed> [idleness PT1S|0] [alignment PT5M|0]
# Not part of CI; results and the exact commands are in docs/BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
[[ $# -ge 1 ]] || { sed -n '2,8p' "$0" >&2; exit 2; }
main="dev.parity.tests.bench.$1"
shift
mvn -B -q install -DskipTests -Dspotless.check.skip=true
mvn -B -q -pl tests dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile=target/bench.classpath
exec java ${BENCH_JAVA_OPTS:-} -Xmx8g -XX:+UseParallelGC \
  --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.lang=ALL-UNNAMED \
  -cp "tests/target/test-classes:$(cat tests/target/bench.classpath)" \
  "$main" "$@"
