package dev.parity.tests.sql;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parity.features.reference.NaiveFeatureReference;
import dev.parity.features.reference.SampleData;
import dev.parity.jobs.LocalFlink;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Flink SQL OVER windows give the same two feature columns as the engine, on every sample row. */
class SqlOverWindowParityITCase {
    @TempDir Path tmp;

    @ParameterizedTest
    @EnumSource(
            value = RuntimeExecutionMode.class,
            names = {"BATCH", "STREAMING"})
    void sqlOverWindowsMatchTheFeatureEngine(RuntimeExecutionMode mode) throws Exception {
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(
                        LocalFlink.configuration(mode, true));
        env.setParallelism(2);
        StreamTableEnvironment tEnv = StreamTableEnvironment.create(env);
        SqlOverWindowFeatures.build(
                tEnv,
                SqlOverWindowFeatures.events(env, SampleData.path().toString()),
                tmp.toString(),
                mode == RuntimeExecutionMode.BATCH);
        env.execute("sql-over-window-parity-" + mode);

        List<String> reference = NaiveFeatureReference.trainingFile(SampleData.rows());
        List<String> dep1h = new ArrayList<>();
        List<String> delay6h = new ArrayList<>();
        for (String line : reference.subList(1, reference.size())) {
            String[] f = line.split(",", -1);
            dep1h.add(f[0] + "," + f[7]);
            delay6h.add(f[0] + "," + f[9]);
        }
        assertThat(sortedParts("sql-dep1h")).containsExactlyElementsOf(dep1h);
        assertThat(sortedParts("sql-delay6h")).containsExactlyElementsOf(delay6h);
    }

    private List<String> sortedParts(String name) throws IOException {
        List<String> lines = new ArrayList<>();
        try (Stream<Path> parts = Files.list(tmp)) {
            for (Path p :
                    (Iterable<Path>)
                            parts.filter(p -> p.getFileName().toString().startsWith(name + "-"))
                                    ::iterator) {
                lines.addAll(Files.readAllLines(p));
            }
        }
        lines.sort(Comparator.comparingLong(l -> Long.parseLong(l.substring(0, l.indexOf(',')))));
        return lines;
    }
}
