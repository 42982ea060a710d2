package dev.parity.features.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parity.features.spec.BundledSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link JoinFunction} on the flights spec, in the operator harness: parts in any order make one
 * row and leave no state or timer; an incomplete row is reported after the timeout from its first
 * part, naming what is missing; a late query is reported at once and its other parts absorbed.
 *
 * <p>Group parts carry their group's values in group slot order: group 0 ({@code [origin]}) holds
 * features 0, 2, 5, group 1 ({@code [dest]}) features 1, 3, group 2 ({@code [origin, dest]})
 * feature 4. Every value below is distinct, so a value put into the wrong column fails.
 */
class SpecJoinFunctionTest {
    private static final SpecPlan PLAN = SpecPlan.of(BundledSpec.flights());
    private static final long HOUR = 3_600_000L;
    private static final Duration TIMEOUT = Duration.ofDays(2);

    /** A Wednesday, 12:00 UTC. */
    private static final long T = Instant.parse("2001-01-10T12:00:00Z").toEpochMilli();

    private KeyedOneInputStreamOperatorTestHarness<Long, VectorPart, FeatureRow> harness;

    private static KeyedOneInputStreamOperatorTestHarness<Long, VectorPart, FeatureRow> newHarness(
            boolean withLabel, OperatorSubtaskState restoreFrom) throws Exception {
        KeyedOneInputStreamOperatorTestHarness<Long, VectorPart, FeatureRow> h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(new JoinFunction(PLAN, withLabel, TIMEOUT)),
                        p -> p.id,
                        Types.LONG);
        if (restoreFrom != null) {
            h.initializeState(restoreFrom);
        }
        h.open();
        return h;
    }

    private void open(boolean withLabel) throws Exception {
        harness = newHarness(withLabel, null);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (harness != null) {
            harness.close();
        }
    }

    /** dep_time, origin, dest, distance, dep_hour, dep_dow, as the router computes them at T. */
    private static VectorPart context(long id) {
        return new VectorPart(
                id, VectorPart.CONTEXT, T, 0L, new Object[] {T, "ORD", "JFK", 740L, 12L, 3L});
    }

    /** origin_dep_1h, origin_delay_mean_6h, origin_delay_mean_30d_daily. */
    private static VectorPart group0(long id) {
        return new VectorPart(id, 0, T, 0L, new Object[] {3L, 12.5, 9.75});
    }

    /** dest_arr_1h, dest_delay_mean_1h. */
    private static VectorPart group1(long id) {
        return new VectorPart(id, 1, T, 0L, new Object[] {2L, -1.5});
    }

    /** route_delay_mean_7d, over an empty window. */
    private static VectorPart group2(long id) {
        return new VectorPart(id, 2, T, 0L, new Object[] {null});
    }

    /** The arrival's delay, two hours after the departure. */
    private static VectorPart label(long id) {
        return new VectorPart(id, VectorPart.LABEL, T + 2 * HOUR, 0L, new Object[] {15L});
    }

    private static VectorPart late(long id, long watermark) {
        return new VectorPart(id, VectorPart.LATE, T, watermark, new Object[0]);
    }

    /** The row: context, the six features in spec order, and the label when the join waits. */
    private static FeatureRow expected(long id, boolean withLabel) {
        Object[] context = {T, "ORD", "JFK", 740L, 12L, 3L};
        Object[] features = {3L, 2L, 12.5, -1.5, null, 9.75};
        Object[] v = new Object[context.length + features.length + (withLabel ? 1 : 0)];
        System.arraycopy(context, 0, v, 0, context.length);
        System.arraycopy(features, 0, v, context.length, features.length);
        if (withLabel) {
            v[v.length - 1] = 15L;
        }
        return new FeatureRow(id, T, v);
    }

    private void send(VectorPart p) throws Exception {
        send(harness, p);
    }

    private static void send(
            KeyedOneInputStreamOperatorTestHarness<Long, VectorPart, FeatureRow> h, VectorPart p)
            throws Exception {
        h.processElement(p, p.time);
    }

    private List<IncompleteVector> incomplete() {
        List<IncompleteVector> out = new ArrayList<>();
        if (harness.getSideOutput(JoinFunction.INCOMPLETE) != null) {
            harness.getSideOutput(JoinFunction.INCOMPLETE).forEach(r -> out.add(r.getValue()));
        }
        return out;
    }

    @Test
    void joinsAllPartsIntoOneRowAndClearsState() throws Exception {
        open(true);
        send(group1(5));
        send(context(5));
        send(label(5));
        send(group2(5));
        assertThat(harness.extractOutputValues()).isEmpty();
        assertThat(harness.numKeyedStateEntries()).isEqualTo(1);
        assertThat(harness.numEventTimeTimers()).isEqualTo(1);

        send(group0(5));

        assertThat(harness.extractOutputValues()).containsExactly(expected(5, true));
        assertThat(PLAN.width()).isEqualTo(expected(5, true).values.length);
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
        harness.processWatermark(T + 10 * TIMEOUT.toMillis());
        assertThat(incomplete()).isEmpty();
        assertThat(harness.extractOutputValues()).hasSize(1);
    }

    @Test
    void partOrderDoesNotMatter() throws Exception {
        open(true);
        List<Long> ids = new ArrayList<>();
        for (long id = 100; id < 110; id++) {
            List<VectorPart> parts =
                    new ArrayList<>(
                            List.of(context(id), group0(id), group1(id), group2(id), label(id)));
            Collections.shuffle(parts, new Random(id));
            for (VectorPart p : parts) {
                send(p);
            }
            ids.add(id);
        }
        List<FeatureRow> out = harness.extractOutputValues();
        assertThat(out).extracting(r -> r.id).containsExactlyElementsOf(ids);
        assertThat(out).allSatisfy(r -> assertThat(r).isEqualTo(expected(r.id, true)));
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
    }

    @Test
    void withoutLabelTheRowCompletesWithoutTheLabelEvent() throws Exception {
        open(false);
        send(context(5));
        send(group0(5));
        send(group1(5));
        send(group2(5));

        // no label column at all: the row is one value shorter than the spec's width
        assertThat(harness.extractOutputValues()).containsExactly(expected(5, false));
        assertThat(expected(5, false).values).hasSize(PLAN.width() - 1);
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
    }

    @Test
    void withoutLabelAStrayLabelPartLeavesNoStateOrTimer() throws Exception {
        // the router sends the label whenever the spec has one; only the join knows it is unwanted
        open(false);
        send(label(5));
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();

        send(context(5));
        send(group0(5));
        send(group1(5));
        send(group2(5));
        send(label(5));

        assertThat(harness.extractOutputValues()).containsExactly(expected(5, false));
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
        harness.processWatermark(T + 10 * TIMEOUT.toMillis());
        assertThat(incomplete()).isEmpty();
    }

    @Test
    void missingGroupPartIsReportedAfterTheTimeout() throws Exception {
        open(true);
        send(context(5));
        send(group0(5));
        send(group2(5));
        send(label(5));

        harness.processWatermark(T + TIMEOUT.toMillis() - 1);
        assertThat(incomplete()).isEmpty();
        assertThat(harness.numKeyedStateEntries()).isEqualTo(1);

        harness.processWatermark(T + TIMEOUT.toMillis());
        assertThat(harness.extractOutputValues()).isEmpty();
        assertThat(incomplete())
                .singleElement()
                .satisfies(
                        i -> {
                            assertThat(i.id).isEqualTo(5);
                            assertThat(i.missing).isEqualTo("features keyed by [dest]");
                        });
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
    }

    @Test
    void missingQueryAndLabelAreNamed() throws Exception {
        open(true);
        send(group0(5));
        send(group1(5));
        send(group2(5));

        harness.processWatermark(T + TIMEOUT.toMillis());

        assertThat(incomplete())
                .singleElement()
                .satisfies(i -> assertThat(i.missing).isEqualTo("departure; label (arrival)"));
        assertThat(harness.extractOutputValues()).isEmpty();
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
    }

    @Test
    void timeoutRunsFromTheFirstPart() throws Exception {
        open(true);
        send(label(5));
        send(context(5));

        // the context is at T, but the label came first: its time + timeout is the deadline
        harness.processWatermark(T + TIMEOUT.toMillis());
        assertThat(incomplete()).isEmpty();

        harness.processWatermark(label(5).time + TIMEOUT.toMillis());
        assertThat(incomplete())
                .singleElement()
                .satisfies(
                        i ->
                                assertThat(i.missing)
                                        .isEqualTo(
                                                "features keyed by [origin]; features keyed by"
                                                        + " [dest]; features keyed by [origin,"
                                                        + " dest]"));
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
    }

    @Test
    void lateQueryIsReportedAtOnceAndItsLabelIsAbsorbed() throws Exception {
        open(true);
        send(late(5, T + HOUR));

        assertThat(incomplete())
                .singleElement()
                .satisfies(
                        i -> {
                            assertThat(i.id).isEqualTo(5);
                            assertThat(i.missing)
                                    .isEqualTo(
                                            "departure at 2001-01-10T12:00:00Z was late (not"
                                                    + " after the watermark"
                                                    + " 2001-01-10T13:00:00Z): no exact row");
                        });
        send(label(5));
        assertThat(incomplete()).hasSize(1);
        harness.processWatermark(T + TIMEOUT.toMillis());

        // one record for the query, no row, and nothing left behind
        assertThat(incomplete()).hasSize(1);
        assertThat(harness.extractOutputValues()).isEmpty();
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
    }

    @Test
    void lateQueryAfterItsLabelIsReportedOnceAndLeavesNothing() throws Exception {
        // the label event may reach the router first: the late news then finds a started row
        open(true);
        send(label(5));
        send(late(5, T + HOUR));
        assertThat(incomplete()).singleElement().satisfies(i -> assertThat(i.id).isEqualTo(5));

        harness.processWatermark(label(5).time + TIMEOUT.toMillis());
        assertThat(incomplete()).hasSize(1);
        assertThat(harness.extractOutputValues()).isEmpty();
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
    }

    @Test
    void aPendingRowSurvivesASnapshotAndRestore() throws Exception {
        open(true);
        send(group2(5)); // a null value
        send(context(5));
        send(label(5));
        OperatorSubtaskState snapshot = harness.snapshot(1L, 1L);
        harness.close();

        harness = newHarness(true, snapshot);
        assertThat(harness.numKeyedStateEntries()).isEqualTo(1);
        assertThat(harness.numEventTimeTimers()).isEqualTo(1);
        send(group0(5));
        send(group1(5));

        assertThat(harness.extractOutputValues()).containsExactly(expected(5, true));
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
    }
}
