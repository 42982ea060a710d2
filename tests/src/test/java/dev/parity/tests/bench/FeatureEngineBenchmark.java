package dev.parity.tests.bench;

import dev.parity.features.api.FeatureDefinition;
import dev.parity.features.api.FeatureSet;
import dev.parity.features.api.FlightFeatures;
import dev.parity.jobs.LocalFlink;
import dev.parity.jobs.backfill.BackfillJob;
import dev.parity.tests.sql.SqlOverWindowFeatures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Side-by-side timings for docs/BENCHMARKS.md, all in one JVM run on the same input:
 *
 * <ul>
 *   <li>{@code full}: the whole feature set, BATCH vs STREAMING (RocksDB);
 *   <li>{@code sql}: {@code origin_dep_1h} + {@code origin_delay_mean_6h} computed by the engine
 *       and by Flink SQL OVER windows, in both modes.
 * </ul>
 *
 * Each run is timed from submission to job end (writing part files included, merging excluded). Not
 * a test: run it with
 *
 * <pre>
 * tests/bench/run.sh FeatureEngineBenchmark data/full/flights-3m.parquet full,sql 2
 * </pre>
 */
public final class FeatureEngineBenchmark {
    private FeatureEngineBenchmark() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println(
                    "usage: FeatureEngineBenchmark <events file> [full,sql] [parallelism]");
            System.exit(2);
        }
        String events = args[0];
        List<String> suites = List.of((args.length > 1 ? args[1] : "full,sql").split(","));
        int parallelism = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        Path tmp = Files.createTempDirectory("parity-bench");

        FeatureSet full = FlightFeatures.standard();
        List<FeatureDefinition> two = new ArrayList<>();
        two.add(full.windowFeatures().get(full.indexOf("origin_dep_1h")));
        two.add(full.windowFeatures().get(full.indexOf("origin_delay_mean_6h")));
        FeatureSet pair = FeatureSet.of("sql_pair", two, List.of());

        Map<String, Double> seconds = new LinkedHashMap<>();
        for (RuntimeExecutionMode mode :
                List.of(RuntimeExecutionMode.BATCH, RuntimeExecutionMode.STREAMING)) {
            String m = mode.name().toLowerCase(Locale.ROOT);
            if (suites.contains("full")) {
                seconds.put(
                        "engine, 6 features, " + m,
                        time(
                                mode,
                                parallelism,
                                env -> engine(env, events, full, tmp, m + "-full")));
            }
            if (suites.contains("sql")) {
                seconds.put(
                        "engine, 2 features, " + m,
                        time(
                                mode,
                                parallelism,
                                env -> engine(env, events, pair, tmp, m + "-pair")));
                seconds.put(
                        "Flink SQL OVER, 2 features, " + m,
                        time(
                                mode,
                                parallelism,
                                env ->
                                        SqlOverWindowFeatures.build(
                                                env,
                                                events,
                                                tmp.resolve(m + "-sql").toString(),
                                                mode == RuntimeExecutionMode.BATCH)));
            }
        }

        long rows = countRows(events);
        System.out.printf(
                Locale.ROOT,
                "%n| run (parallelism %d, %,d rows) | wall s | rows/s |%n",
                parallelism,
                rows);
        System.out.println("|---|---:|---:|");
        seconds.forEach(
                (k, s) ->
                        System.out.printf(Locale.ROOT, "| %s | %.1f | %,.0f |%n", k, s, rows / s));
        ratio(
                seconds,
                "engine, 6 features, streaming",
                "engine, 6 features, batch",
                "BATCH speed-up over STREAMING (6 features)");
        for (String m : List.of("batch", "streaming")) {
            ratio(
                    seconds,
                    "Flink SQL OVER, 2 features, " + m,
                    "engine, 2 features, " + m,
                    "engine speed-up over Flink SQL (" + m + ")");
        }
    }

    private static void ratio(Map<String, Double> s, String slow, String fast, String label) {
        if (s.containsKey(slow) && s.containsKey(fast)) {
            System.out.printf(Locale.ROOT, "%s: %.2fx%n", label, s.get(slow) / s.get(fast));
        }
    }

    private static void engine(
            StreamExecutionEnvironment env, String events, FeatureSet set, Path tmp, String name) {
        new BackfillJob(events, tmp.resolve(name).toString(), set, Duration.ofMinutes(5))
                .build(env);
    }

    private interface Graph {
        void build(StreamExecutionEnvironment env) throws Exception;
    }

    private static double time(RuntimeExecutionMode mode, int parallelism, Graph graph)
            throws Exception {
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(
                        LocalFlink.configuration(mode, true));
        env.setParallelism(parallelism);
        graph.build(env);
        long start = System.nanoTime();
        env.execute("bench-" + mode);
        double s = (System.nanoTime() - start) / 1e9;
        System.err.printf(Locale.ROOT, "bench: %s run finished in %.1f s%n", mode, s);
        return s;
    }

    private static long countRows(String events) throws Exception {
        if (events.endsWith(".parquet")) {
            long[] n = {0};
            dev.parity.features.flink.FlightParquetFormat.forEachRow(
                    events,
                    r -> {
                        n[0]++;
                        return true;
                    });
            return n[0];
        }
        try (var lines = Files.lines(Path.of(events))) {
            return lines.count() - 1;
        }
    }
}
