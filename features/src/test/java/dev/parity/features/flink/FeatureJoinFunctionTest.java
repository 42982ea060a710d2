package dev.parity.features.flink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parity.features.api.FeatureSet;
import dev.parity.features.api.FlightFeatures;
import dev.parity.features.core.FeatureVector;
import java.time.Duration;
import java.util.Arrays;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FeatureJoinFunctionTest {
    private static final FeatureSet SET = FlightFeatures.standard();
    private static final long DEP = 1_000_000L;

    private KeyedOneInputStreamOperatorTestHarness<Long, FlightPart, FeatureVector> harness;

    @BeforeEach
    void open() throws Exception {
        harness =
                ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                        new FeatureJoinFunction(SET, true, Duration.ofHours(1)),
                        p -> p.id,
                        Types.LONG);
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    @Test
    void allPartsMakeOneVectorAndClearTheFlightsState() throws Exception {
        harness.processElement(FlightPart.label(5, DEP + 90_000, -3), DEP);
        for (int g = 0; g < 3; g++) {
            harness.processElement(FlightPart.group(5, g, DEP, groupValues(g)), DEP);
        }
        assertThat(harness.extractOutputValues()).isEmpty();
        harness.processElement(FlightPart.context(5, DEP, "ORD", "LAX", 1745), DEP);

        assertThat(harness.extractOutputValues())
                .singleElement()
                .satisfies(
                        v -> {
                            assertThat(v.id).isEqualTo(5);
                            assertThat(v.values).containsExactly(0, 10, 20, 11, 22, 1);
                            assertThat(v.label).isEqualTo(-3L);
                            assertThat(v.origin).isEqualTo("ORD");
                            assertThat(v.distance).isEqualTo(1745);
                        });
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
    }

    @Test
    void anIncompleteFlightIsReportedWithWhatWasMissingOnceTheTimeoutPasses() throws Exception {
        harness.processElement(FlightPart.context(9, DEP, "ORD", "LAX", 100), DEP);
        harness.processElement(FlightPart.group(9, 0, DEP, groupValues(0)), DEP);

        harness.processWatermark(DEP + Duration.ofHours(1).toMillis() - 1);
        assertThat(harness.getSideOutput(FeatureJoinFunction.INCOMPLETE)).isNull();

        harness.processWatermark(DEP + Duration.ofHours(1).toMillis());
        assertThat(harness.getSideOutput(FeatureJoinFunction.INCOMPLETE))
                .extracting(StreamRecord::getValue)
                .singleElement()
                .satisfies(
                        i -> {
                            assertThat(i.id).isEqualTo(9);
                            assertThat(i.missing)
                                    .isEqualTo(
                                            "group 1 features; group 2 features; label (arrival)");
                        });
        assertThat(harness.extractOutputValues()).isEmpty();
        assertThat(harness.numKeyedStateEntries()).isZero();
    }

    /** Values of group g at the set positions that group owns; NaN elsewhere. */
    private static double[] groupValues(int g) {
        double[] v = new double[SET.windowFeatures().size()];
        Arrays.fill(v, Double.NaN);
        // origin: 0 origin_dep_1h, 2 origin_delay_mean_6h, 5 30d; dest: 1, 3; route: 4
        if (g == 0) {
            v[0] = 0;
            v[2] = 20;
            v[5] = 1;
        } else if (g == 1) {
            v[1] = 10;
            v[3] = 11;
        } else {
            v[4] = 22;
        }
        return v;
    }
}
