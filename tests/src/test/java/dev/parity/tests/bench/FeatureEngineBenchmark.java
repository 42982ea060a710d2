package dev.parity.tests.bench;

import dev.parity.features.engine.RowCsv;
import dev.parity.features.engine.RowDecoder;
import dev.parity.features.engine.SpecFileInput;
import dev.parity.features.engine.SpecPlan;
import dev.parity.features.spec.BundledSpec;
import dev.parity.features.spec.FeatureSpec;
import dev.parity.jobs.LocalFlink;
import dev.parity.jobs.backfill.BackfillJob;
import dev.parity.tests.sql.SqlOverWindowFeatures;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
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
 *   <li>{@code full}: the bundled flights spec through the engine (the backfill's graph), BATCH vs
 *       STREAMING (RocksDB);
 *   <li>{@code sql}: {@code origin_dep_1h} + {@code origin_delay_mean_6h} computed by the engine
 *       (the flights spec cut to those two features) and by Flink SQL OVER windows, in both modes;
 *   <li>{@code floor}: the same file by one thread of plain Java ({@link PlainJavaFloor}), checked
 *       byte for byte against the engine's BATCH file.
 * </ul>
 *
 * Each run is timed from submission to job end (writing part files included, merging excluded). Not
 * a test: run it with
 *
 * <pre>
 * tests/bench/run.sh FeatureEngineBenchmark data/full/flights-3m.parquet full,floor 2
 * </pre>
 */
public final class FeatureEngineBenchmark {
    private FeatureEngineBenchmark() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println(
                    "usage: FeatureEngineBenchmark <events file> [full,sql,floor] [parallelism]");
            System.exit(2);
        }
        String events = args[0];
        List<String> suites = List.of((args.length > 1 ? args[1] : "full,sql").split(","));
        int parallelism = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        Path tmp = Files.createTempDirectory("parity-bench");

        SpecPlan full = SpecPlan.of(BundledSpec.flights());
        SpecPlan pair = SpecPlan.of(sqlPair());

        Map<String, Double> seconds = new LinkedHashMap<>();
        for (RuntimeExecutionMode mode :
                List.of(RuntimeExecutionMode.BATCH, RuntimeExecutionMode.STREAMING)) {
            String m = mode.name().toLowerCase(Locale.ROOT);
            if (suites.contains("full")) {
                seconds.put(
                        "engine, flights spec, " + m,
                        time(
                                mode,
                                parallelism,
                                env -> engine(env, events, full, tmp, m + "-full")));
                if (mode == RuntimeExecutionMode.BATCH) {
                    mergedFile = merge(full, tmp.resolve("batch-full"), tmp);
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
            if (mergedFile != null) {
                boolean same = Arrays.equals(sha256(floorFile), sha256(mergedFile));
                System.out.println("floor output identical to the engine's: " + same);
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
                "engine, flights spec, streaming",
                "engine, flights spec, batch",
                "BATCH speed-up over STREAMING (flights spec)");
        ratio(
                seconds,
                "engine, flights spec, batch",
                "plain Java floor, 1 thread (read + compute + write)",
                "engine BATCH as a multiple of the plain-Java floor");
        for (String m : List.of("batch", "streaming")) {
            ratio(
                    seconds,
                    "Flink SQL OVER, 2 features, " + m,
                    "engine, 2 features, " + m,
                    "engine speed-up over Flink SQL (" + m + ")");
        }
    }

    private static Path mergedFile;

    /** The flights spec cut to the two features the SQL job computes. */
    private static FeatureSpec sqlPair() throws IOException {
        String yaml;
        try (InputStream in =
                FeatureEngineBenchmark.class
                        .getClassLoader()
                        .getResourceAsStream(BundledSpec.FLIGHTS_RESOURCE)) {
            yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        StringBuilder kept = new StringBuilder();
        for (String line : yaml.split("\n", -1)) {
            boolean feature = line.startsWith("  - {name: ");
            if (!feature
                    || line.contains("name: origin_dep_1h,")
                    || line.contains("name: origin_delay_mean_6h,")) {
                kept.append(line.startsWith("name: ") ? "name: sql_pair" : line).append('\n');
            }
        }
        return FeatureSpec.parse(kept.toString(), "flights.yaml cut to two features");
    }

    /** The engine's feature part files as one file sorted by id (as the backfill does). */
    private static Path merge(SpecPlan plan, Path parts, Path tmp) throws Exception {
        List<String> lines = new ArrayList<>();
        try (var files = Files.newDirectoryStream(parts, "features-*.part")) {
            for (Path p : files) {
                lines.addAll(Files.readAllLines(p));
            }
        }
        lines.sort(
                java.util.Comparator.comparingLong(
                        l -> Long.parseLong(l.substring(0, l.indexOf(',')))));
        Path out = tmp.resolve("engine-features.csv");
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

    /** The backfill's graph: file -> the spec's pipeline -> features part files. */
    private static void engine(
            StreamExecutionEnvironment env, String events, SpecPlan plan, Path tmp, String name) {
        new BackfillJob(
                        plan,
                        BackfillJob.inputs(plan, List.of(events)),
                        tmp.resolve(name).toString(),
                        Duration.ofMinutes(5))
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
            SpecFileInput.forEachRow(
                    events,
                    RowDecoder.forSource(SpecPlan.of(BundledSpec.flights())),
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
