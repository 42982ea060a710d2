package dev.parity.features.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parity.features.spec.FeatureSpec;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.util.OutputTag;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SpecRouterTest {
    private static final String PAYMENTS =
            "name: payments_v1\n"
                    + "events:\n"
                    + "  payment:\n"
                    + "    fields: {id: long, ts: timestamp, card: string, amount: double}\n"
                    + "    id: id\n"
                    + "    time: ts\n"
                    + "query: {event: payment, context: [amount]}\n"
                    + "features:\n"
                    + "  - {name: card_payments_1h, event: payment, key: [card], window: 1h,"
                    + " aggregation: count}\n";

    private static final SpecPlan A = SpecPlan.of(FeatureSpec.parse(PAYMENTS, "a.yaml"));
    private static final SpecPlan B =
            SpecPlan.of(FeatureSpec.parse(PAYMENTS.replace("window: 1h", "window: 2h"), "b.yaml"));

    private OneInputStreamOperatorTestHarness<EventRow, RoutedEvent> harness;

    @AfterEach
    void tearDown() throws Exception {
        if (harness != null) {
            harness.close();
        }
    }

    private OperatorSubtaskState snapshotWithWatermark(SpecPlan plan, long watermark)
            throws Exception {
        harness = new OneInputStreamOperatorTestHarness<>(new SpecRouter(plan));
        harness.open();
        harness.processWatermark(watermark);
        OperatorSubtaskState snapshot = harness.snapshot(1L, 1L);
        harness.close();
        harness = null;
        return snapshot;
    }

    @Test
    void stateOfAnotherSpecIsRefusedNamingBothFingerprints() throws Exception {
        OperatorSubtaskState snapshot = snapshotWithWatermark(A, 1_000L);
        assertThat(A.fingerprint()).isNotEqualTo(B.fingerprint());

        harness = new OneInputStreamOperatorTestHarness<>(new SpecRouter(B));
        assertThatThrownBy(() -> harness.initializeState(snapshot))
                .hasMessageContaining(
                        "taken with feature spec payments_v1 (fingerprint " + A.fingerprint() + ")")
                .hasMessageContaining(
                        "runs feature spec payments_v1 (fingerprint " + B.fingerprint() + ")");
    }

    @Test
    void stateOfTheSameSpecRestoresWithItsWatermark() throws Exception {
        OperatorSubtaskState snapshot = snapshotWithWatermark(A, 10_000L);
        harness = new OneInputStreamOperatorTestHarness<>(new SpecRouter(A));
        harness.initializeState(snapshot);
        harness.open();
        harness.processElement(new StreamRecord<>(payment(7, 5_000L, "c1"), 5_000L));

        assertThat(side(SpecRouter.LATE))
                .singleElement()
                .satisfies(
                        l -> {
                            assertThat(l.watermark).isEqualTo(10_000L);
                            assertThat(l.queryLate).isTrue();
                        });
        // the late payment still counts from watermark + 1 for the queries to come
        assertThat(harness.extractOutputValues())
                .singleElement()
                .satisfies(r -> assertThat(r.notBefore).isEqualTo(10_001L));
    }

    @Test
    void aQueryWithANullKeyGetsTheEmptyWindowValuesAtOnce() throws Exception {
        harness = new OneInputStreamOperatorTestHarness<>(new SpecRouter(A));
        harness.open();
        harness.processElement(new StreamRecord<>(payment(3, 5_000L, null), 5_000L));

        assertThat(harness.extractOutputValues()).isEmpty();
        List<VectorPart> parts = side(SpecRouter.PARTS);
        assertThat(parts).extracting(p -> p.part).containsExactly(0, VectorPart.CONTEXT);
        assertThat(parts.get(0).values).containsExactly(0L);
    }

    private static EventRow payment(long id, long ts, String card) {
        return new EventRow(0, id, ts, new Object[] {id, ts, card, 12.5});
    }

    private <X> List<X> side(OutputTag<X> tag) {
        List<X> out = new ArrayList<>();
        if (harness.getSideOutput(tag) != null) {
            harness.getSideOutput(tag).forEach(r -> out.add(r.getValue()));
        }
        return out;
    }
}
