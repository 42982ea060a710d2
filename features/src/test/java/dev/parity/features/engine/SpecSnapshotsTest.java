package dev.parity.features.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parity.features.reference.SampleData;
import dev.parity.features.spec.FeatureSpec;
import dev.parity.features.spec.Window;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A daily snapshot is what the feature file says: for every query row of the two examples' samples
 * and every daily feature, the row's value equals the snapshot of the query's entity on the query's
 * UTC day, read back from its text, or the empty-window value when the entity has no snapshot that
 * day. The entity is rebuilt here from the row's context columns with Jackson, independently of
 * {@link SpecPlan.Group#entityOf}.
 */
class SpecSnapshotsTest {
    private static final Path ROOT = SampleData.path().getParent().getParent().getParent();
    private static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest
    @ValueSource(
            strings = {
                "examples/flights/flights.yaml|data/sample/flights-sample.csv",
                "examples/iam-policies/iam-policies.yaml|examples/iam-policies/sample.csv"
            })
    void everyRowsDailyFeatureIsItsDaysSnapshot(String example) throws Exception {
        String[] paths = example.split("\\|");
        SpecPlan plan = SpecPlan.of(FeatureSpec.load(ROOT.resolve(paths[0])));
        String events = ROOT.resolve(paths[1]).toString();
        assertThat(SpecSnapshots.hasDailyFeatures(plan)).isTrue();

        Map<String, String> snapshots = snapshots(plan, events, 2);
        List<FeatureRow> rows = new ArrayList<>();
        try (CloseableIterator<FeatureRow> it =
                SpecPipeline.builder(plan)
                        .build()
                        .apply(read(env(), plan, events))
                        .rows()
                        .executeAndCollect()) {
            it.forEachRemaining(rows::add);
        }
        assertThat(rows).isNotEmpty();

        List<String> header = plan.header();
        int context = plan.context().length;
        int fromSnapshots = 0;
        for (FeatureRow row : rows) {
            for (SpecPlan.Slot slot : plan.features()) {
                if (!slot.window().isDaily()) {
                    continue;
                }
                List<Object> key = new ArrayList<>();
                for (String field : plan.groups().get(slot.group()).key()) {
                    key.add(row.values[header.indexOf(field) - 1]);
                }
                Object expected = slot.emptyValue();
                if (!key.contains(null)) {
                    String text =
                            snapshots.get(
                                    slot.name()
                                            + "|"
                                            + JSON.writeValueAsString(key)
                                            + "|"
                                            + Window.dayOf(row.time));
                    if (text != null) {
                        expected = FieldValues.parse(slot.def().resultType(), text);
                        fromSnapshots++;
                    }
                }
                assertThat(row.values[context + slot.feature()])
                        .as("%s of row %d", slot.name(), row.id)
                        .isEqualTo(expected);
            }
        }
        assertThat(fromSnapshots).as("rows served from a snapshot").isPositive();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "examples/flights/flights.yaml|data/sample/flights-sample.csv",
                "examples/iam-policies/iam-policies.yaml|examples/iam-policies/sample.csv"
            })
    void snapshotsAreTheSameAtEveryParallelism(String example) throws Exception {
        String[] paths = example.split("\\|");
        SpecPlan plan = SpecPlan.of(FeatureSpec.load(ROOT.resolve(paths[0])));
        String events = ROOT.resolve(paths[1]).toString();
        Map<String, String> one = snapshots(plan, events, 1);
        assertThat(one).isNotEmpty();
        assertThat(snapshots(plan, events, 3)).isEqualTo(one);
    }

    /** {@code feature|entity|day -> value} of a BATCH run at {@code parallelism}. */
    private static Map<String, String> snapshots(SpecPlan plan, String events, int parallelism)
            throws Exception {
        Map<String, String> snapshots = new HashMap<>();
        StreamExecutionEnvironment env = env();
        env.setParallelism(parallelism);
        try (CloseableIterator<SnapshotValue> it =
                SpecSnapshots.apply(read(env, plan, events), plan, "snapshots-")
                        .executeAndCollect()) {
            it.forEachRemaining(
                    s -> {
                        String key = s.feature + "|" + s.entity + "|" + s.day;
                        assertThat(snapshots.put(key, s.value)).as("one value per key").isNull();
                    });
        }
        return snapshots;
    }

    private static org.apache.flink.streaming.api.datastream.DataStream<EventRow> read(
            StreamExecutionEnvironment env, SpecPlan plan, String events) {
        return SpecFileInput.read(
                        env,
                        events,
                        RowDecoder.forInput(plan, null),
                        Duration.ofMinutes(10),
                        "events")
                .events();
    }

    private static StreamExecutionEnvironment env() {
        Configuration conf = new Configuration();
        conf.set(ExecutionOptions.RUNTIME_MODE, RuntimeExecutionMode.BATCH);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        return env;
    }
}
