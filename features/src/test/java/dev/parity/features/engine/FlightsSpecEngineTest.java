package dev.parity.features.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parity.features.reference.NaiveFeatureReference;
import dev.parity.features.reference.SampleData;
import dev.parity.features.spec.BundledSpec;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The bundled flights spec through the engine gives the training file of examples/flights/README.md
 * byte for byte on the sample, in both runtime modes: the file {@link NaiveFeatureReference}
 * computes from the README alone (the full file's sha256 is checked by the engine benchmark).
 */
class FlightsSpecEngineTest {
    private static SpecPlan plan;
    private static List<String> today;

    @BeforeAll
    static void todaysFile() {
        plan = SpecPlan.of(BundledSpec.flights());
        today = NaiveFeatureReference.trainingFile(SampleData.rows());
    }

    @Test
    void batchGivesTodaysFile() throws Exception {
        assertThat(run(RuntimeExecutionMode.BATCH, 2)).containsExactlyElementsOf(today);
    }

    @Test
    void streamingGivesTodaysFile() throws Exception {
        assertThat(run(RuntimeExecutionMode.STREAMING, 2)).containsExactlyElementsOf(today);
    }

    @Test
    void headerIsTodays() throws Exception {
        assertThat(new RowCsv(plan, true).header()).isEqualTo(today.get(0));
        assertThat(Files.readAllLines(SampleData.path()).size() - 1).isEqualTo(today.size() - 1);
    }

    private static List<String> run(RuntimeExecutionMode mode, int parallelism) throws Exception {
        StreamExecutionEnvironment env = env(mode, parallelism);
        RowCsv csv = new RowCsv(plan, true);
        SpecFileInput.Output in =
                SpecFileInput.read(
                        env,
                        SampleData.path().toString(),
                        RowDecoder.forInput(plan, null),
                        Duration.ofMinutes(10),
                        "events");
        List<String> lines = new ArrayList<>();
        try (CloseableIterator<FeatureRow> it =
                SpecPipeline.builder(plan)
                        .withLabel(true)
                        .build()
                        .apply(in.events())
                        .rows()
                        .executeAndCollect()) {
            it.forEachRemaining(r -> lines.add(csv.format(r)));
        }
        lines.sort(byId());
        List<String> file = new ArrayList<>();
        file.add(csv.header());
        file.addAll(lines);
        return file;
    }

    private static Comparator<String> byId() {
        return Comparator.comparingLong(l -> Long.parseLong(l.substring(0, l.indexOf(','))));
    }

    private static StreamExecutionEnvironment env(RuntimeExecutionMode mode, int parallelism) {
        Configuration conf = new Configuration();
        conf.set(ExecutionOptions.RUNTIME_MODE, mode);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(parallelism);
        return env;
    }
}
