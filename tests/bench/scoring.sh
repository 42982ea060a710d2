#!/usr/bin/env bash
# Runs dev.parity.tests.bench.ScoringBenchmark (side-by-side timings for docs/BENCHMARKS.md).
# Usage: tests/bench/scoring.sh [records]
# Not part of CI: takes a few minutes on 2 cores.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
mvn -B -q install -DskipTests -Dspotless.check.skip=true
mvn -B -q -pl tests dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile=target/bench.classpath
exec java -Xmx8g -XX:+UseParallelGC \
  --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.lang=ALL-UNNAMED \
  -cp "tests/target/test-classes:$(cat tests/target/bench.classpath)" \
  dev.parity.tests.bench.ScoringBenchmark "$@"
