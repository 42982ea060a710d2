package dev.parity.tests.bench;

import dev.parity.features.api.FeatureDefinition;
import dev.parity.features.api.FeatureSet;
import dev.parity.features.api.FlightFeatures;
import dev.parity.features.core.FeatureVector;
import dev.parity.features.engine.LinePartSink;
import dev.parity.features.engine.RowCsv;
import dev.parity.features.engine.SpecPlan;
import dev.parity.features.flink.FeaturePipeline;
import dev.parity.features.flink.FlightFileInput;
import dev.parity.features.io.FeatureCsv;
import dev.parity.features.spec.FeatureSpec;
import dev.parity.jobs.LocalFlink;
import dev.parity.jobs.backfill.BackfillJob;
import dev.parity.tests.sql.SqlOverWindowFeatures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
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
 *       and by Flink SQL OVER windows, in both modes;
 *   <li>{@code spec}: the flights spec ({@code examples/flights/flights.yaml}) through the generic
 *       engine, in both modes, next to {@code full};
 *   <li>{@code floor}: the same file by one thread of plain Java ({@link PlainJavaFloor}), checked
 *       byte for byte against the generic engine's.
 * </ul>
 *
 * Each run is timed from submission to job end (writing part files included, merging excluded). Not
 * a test: run it with
 *
 * <pre>
 * tests/bench/run.sh FeatureEngineBenchmark data/full/flights-3m.parquet full,spec,floor 2
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
            if (suites.contains("spec")) {
                seconds.put(
                        "generic engine, flights spec, " + m,
                        time(mode, parallelism, env -> spec(env, events, tmp, m + "-spec")));
                if (mode == RuntimeExecutionMode.BATCH) {
                    mergedSpecFile = merge(tmp.resolve("batch-spec"), tmp);
                }
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

        if (suites.contains("floor")) {
            Path floorFile = tmp.resolve("floor-features.csv");
            PlainJavaFloor.Times floor = PlainJavaFloor.run(events, floorFile);
            seconds.put("plain Java floor, 1 thread (read + compute + write)", floor.total());
            System.err.printf(
                    Locale.ROOT,
                    "bench: floor read %.1f s, compute %.1f s, write %.1f s%n",
                    floor.read,
                    floor.compute,
                    floor.write);
            if (mergedSpecFile != null) {
                boolean same = Arrays.equals(sha256(floorFile), sha256(mergedSpecFile));
                System.out.println("floor output identical to the generic engine's: " + same);
                if (!same) {
                    System.exit(1);
                }
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
                    "engine, 6 features, " + m,
                    "generic engine, flights spec, " + m,
                    "generic engine speed-up over today's (" + m + ")");
        }
        ratio(
                seconds,
                "generic engine, flights spec, batch",
                "plain Java floor, 1 thread (read + compute + write)",
                "generic engine BATCH as a multiple of the plain-Java floor");
        for (String m : List.of("batch", "streaming")) {
            ratio(
                    seconds,
                    "Flink SQL OVER, 2 features, " + m,
                    "engine, 2 features, " + m,
                    "engine speed-up over Flink SQL (" + m + ")");
        }
    }

    private static Path mergedSpecFile;

    private static void spec(StreamExecutionEnvironment env, String events, Path tmp, String name) {
        SpecPlan plan = SpecPlan.of(FeatureSpec.load(flightsSpec()));
        new BackfillJob(
                        plan,
                        BackfillJob.inputs(plan, List.of(events)),
                        tmp.resolve(name).toString(),
                        Duration.ofMinutes(5))
                .build(env);
    }

    private static Path flightsSpec() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            Path p = d.resolve("examples/flights/flights.yaml");
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        throw new IllegalStateException("examples/flights/flights.yaml not found");
    }

    /** The generic engine's feature part files as one file sorted by id (as the backfill does). */
    private static Path merge(Path parts, Path tmp) throws Exception {
        List<String> lines = new ArrayList<>();
        try (var files = Files.newDirectoryStream(parts, "features-*.part")) {
            for (Path p : files) {
                lines.addAll(Files.readAllLines(p));
            }
        }
        lines.sort(
                java.util.Comparator.comparingLong(
                        l -> Long.parseLong(l.substring(0, l.indexOf(',')))));
        Path out = tmp.resolve("spec-features.csv");
        SpecPlan plan = SpecPlan.of(FeatureSpec.load(flightsSpec()));
        List<String> file = new ArrayList<>();
        file.add(new RowCsv(plan, true).header());
        file.addAll(lines);
        Files.write(out, file);
        return out;
    }

    private static byte[] sha256(Path file) throws Exception {
        java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
        try (var in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            int k;
            while ((k = in.read(buf)) > 0) {
                md.update(buf, 0, k);
            }
        }
        return md.digest();
    }

    private static void ratio(Map<String, Double> s, String slow, String fast, String label) {
        if (s.containsKey(slow) && s.containsKey(fast)) {
            System.out.printf(Locale.ROOT, "%s: %.2fx%n", label, s.get(slow) / s.get(fast));
        }
    }

    private static void engine(
            StreamExecutionEnvironment env, String events, FeatureSet set, Path tmp, String name) {
        // the built-in flights engine's backfill graph, as the backfill ran it before it moved
        // onto the generic engine: file -> FeaturePipeline -> features part files
        FeatureCsv csv = new FeatureCsv(set);
        FeaturePipeline.builder()
                .featureSet(set)
                .withLabel(true)
                .build()
                .apply(FlightFileInput.read(env, events, Duration.ofMinutes(5)).events())
                .vectors()
                .sinkTo(
                        new LinePartSink<FeatureVector>(
                                tmp.resolve(name).toString(), "features", csv::format))
                .name("write-features");
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
