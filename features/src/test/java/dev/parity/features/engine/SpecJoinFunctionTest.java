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
 * row once the watermark has passed its times, and leave nothing once the timeout from the earliest
 * part has passed; an incomplete row is reported then, naming what is missing; a late query is
 * reported at once and its label absorbed; duplicate ids are reported and never merged.
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
    void joinsAllPartsIntoOneRowOnceTheWatermarkHasPassedAndClearsStateAtTheDeadline()
            throws Exception {
        open(true);
        send(group1(5));
        send(context(5));
        send(label(5));
        send(group2(5));
        send(group0(5));
        // complete, but another arrival at the label's time may still come
        harness.processWatermark(label(5).time - 1);
        assertThat(harness.extractOutputValues()).isEmpty();

        harness.processWatermark(label(5).time);
        assertThat(harness.extractOutputValues()).containsExactly(expected(5, true));
        assertThat(PLAN.width()).isEqualTo(expected(5, true).values.length);
        // a tombstone recognises duplicates until the deadline
        assertThat(harness.numKeyedStateEntries()).isEqualTo(1);
        assertThat(harness.numEventTimeTimers()).isEqualTo(1);

        harness.processWatermark(T + TIMEOUT.toMillis());
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
        harness.processWatermark(T + 10 * TIMEOUT.toMillis());
        assertThat(incomplete()).isEmpty();
        assertThat(harness.extractOutputValues()).hasSize(1);
    }

    @Test
    void aPartCompletingARowBehindTheWatermarkEmitsItAtOnce() throws Exception {
        open(false);
        harness.processWatermark(T + HOUR);
        send(context(5));
        send(group0(5));
        send(group1(5));
        assertThat(harness.extractOutputValues()).isEmpty();
        send(group2(5));
        assertThat(harness.extractOutputValues()).containsExactly(expected(5, false));
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
        harness.processWatermark(label(100).time);
        List<FeatureRow> out = harness.extractOutputValues();
        assertThat(out).extracting(r -> r.id).containsExactlyInAnyOrderElementsOf(ids);
        assertThat(out).allSatisfy(r -> assertThat(r).isEqualTo(expected(r.id, true)));
        harness.processWatermark(T + TIMEOUT.toMillis());
        assertThat(incomplete()).isEmpty();
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
        harness.processWatermark(T);

        // no label column at all: the row is one value shorter than the spec's width
        assertThat(harness.extractOutputValues()).containsExactly(expected(5, false));
        assertThat(expected(5, false).values).hasSize(PLAN.width() - 1);
        harness.processWatermark(T + TIMEOUT.toMillis());
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
        harness.processWatermark(T + 10 * TIMEOUT.toMillis());

        assertThat(harness.extractOutputValues()).containsExactly(expected(5, false));
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
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
    void timeoutRunsFromTheEarliestPart() throws Exception {
        open(true);
        send(label(5));
        send(context(5));

        // the label came first, but the context is earlier: its time + timeout is the deadline
        harness.processWatermark(T + TIMEOUT.toMillis() - 1);
        assertThat(incomplete()).isEmpty();

        harness.processWatermark(T + TIMEOUT.toMillis());
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

        harness.processWatermark(T + TIMEOUT.toMillis());
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
        harness.processWatermark(label(5).time);

        assertThat(harness.extractOutputValues()).containsExactly(expected(5, true));
        harness.processWatermark(T + TIMEOUT.toMillis());
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
    }

    // ---- duplicate ids -------------------------------------------------------------------

    /** A query event's four parts at {@code t}; variant 0 at T is {@link #expected}'s. */
    private static List<VectorPart> query(long id, long t, int variant) {
        return List.of(
                new VectorPart(
                        id,
                        VectorPart.CONTEXT,
                        t,
                        0L,
                        new Object[] {t, "ORD", "JFK", 740L + variant, 12L, 3L}),
                new VectorPart(id, 0, t, 0L, new Object[] {3L + variant, 12.5, 9.75}),
                new VectorPart(id, 1, t, 0L, new Object[] {2L, -1.5}),
                new VectorPart(id, 2, t, 0L, new Object[] {null}));
    }

    private static VectorPart arrival(long id, long t, long delay) {
        return new VectorPart(id, VectorPart.LABEL, t, 0L, new Object[] {delay});
    }

    private static String at(long t) {
        return Instant.ofEpochMilli(t).toString();
    }

    private void sendAll(List<VectorPart> parts) throws Exception {
        for (VectorPart p : parts) {
            send(p);
        }
    }

    private List<String> reasons() {
        List<String> out = new ArrayList<>();
        incomplete().forEach(i -> out.add(i.id + " " + i.missing));
        return out;
    }

    @Test
    void aLaterQueryWithTheSameIdIsReportedAndNeverMerged() throws Exception {
        for (boolean laterFirst : new boolean[] {false, true}) {
            open(true);
            List<VectorPart> parts = new ArrayList<>(query(5, T, 0));
            List<VectorPart> later = query(5, T + HOUR, 1);
            if (laterFirst) {
                parts.addAll(0, later);
            } else {
                parts.addAll(later);
            }
            parts.add(label(5));
            sendAll(parts);
            harness.processWatermark(Long.MAX_VALUE);

            assertThat(harness.extractOutputValues())
                    .as("later first: %s", laterFirst)
                    .containsExactly(expected(5, true));
            assertThat(reasons())
                    .containsExactly(
                            "5 duplicate id: departure at "
                                    + at(T + HOUR)
                                    + "; an earlier departure has this id");
            assertThat(harness.numKeyedStateEntries()).isZero();
            assertThat(harness.numEventTimeTimers()).isZero();
            harness.close();
        }
        harness = null;
    }

    @Test
    void twoEqualQueriesAtOneTimeGiveOneRowAndOneReport() throws Exception {
        open(true);
        sendAll(query(5, T, 0));
        sendAll(query(5, T, 0));
        send(label(5));
        harness.processWatermark(Long.MAX_VALUE);

        assertThat(harness.extractOutputValues()).containsExactly(expected(5, true));
        assertThat(reasons())
                .containsExactly(
                        "5 duplicate id: departure at "
                                + at(T)
                                + "; another departure at the same time has this id");
    }

    @Test
    void twoDifferentQueriesAtOneTimeGiveNoRow() throws Exception {
        open(false);
        List<VectorPart> parts = new ArrayList<>(query(5, T, 0));
        parts.addAll(query(5, T, 1));
        Collections.shuffle(parts, new Random(1));
        sendAll(parts);
        harness.processWatermark(Long.MAX_VALUE);

        assertThat(harness.extractOutputValues()).isEmpty();
        String reason =
                "5 duplicate id: 2 departure events at "
                        + at(T)
                        + " have this id and differ: no row";
        assertThat(reasons()).containsExactly(reason, reason);
        assertThat(harness.numKeyedStateEntries()).isZero();
    }

    @Test
    void aSecondArrivalIsReportedAndTheEarliestIsTheLabel() throws Exception {
        open(true);
        sendAll(query(5, T, 0));
        send(arrival(5, T + 3 * HOUR, 99L));
        send(label(5)); // T + 2h, delay 15: earlier, so it is the label
        harness.processWatermark(Long.MAX_VALUE);

        assertThat(harness.extractOutputValues()).containsExactly(expected(5, true));
        assertThat(reasons())
                .containsExactly(
                        "5 duplicate id: arrival at "
                                + at(T + 3 * HOUR)
                                + "; an earlier arrival has this id");
    }

    @Test
    void twoDifferentArrivalsAtOneTimeGiveNoRow() throws Exception {
        open(true);
        sendAll(query(5, T, 0));
        send(label(5));
        send(arrival(5, label(5).time, 16L));
        harness.processWatermark(Long.MAX_VALUE);

        assertThat(harness.extractOutputValues()).isEmpty();
        String reason =
                "5 duplicate id: 2 arrival events at "
                        + at(label(5).time)
                        + " have this id and differ: no row";
        assertThat(reasons()).containsExactly(reason, reason);
    }

    @Test
    void aDuplicateAfterTheRowIsOutIsReported() throws Exception {
        open(false);
        sendAll(query(5, T, 0));
        harness.processWatermark(T);
        assertThat(harness.extractOutputValues()).containsExactly(expected(5, false));

        sendAll(query(5, T + TIMEOUT.toMillis() - 1, 1));
        harness.processWatermark(Long.MAX_VALUE);
        assertThat(harness.extractOutputValues()).hasSize(1);
        assertThat(reasons())
                .containsExactly(
                        "5 duplicate id: departure at "
                                + at(T + TIMEOUT.toMillis() - 1)
                                + "; an earlier departure has this id");
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
    }

    @Test
    void aQueryAtTheDeadlineStartsANewRowWhetherTheStateIsStillThereOrNot() throws Exception {
        long next = T + TIMEOUT.toMillis();
        List<List<FeatureRow>> outputs = new ArrayList<>();
        for (boolean watermarksBetween : new boolean[] {false, true}) {
            open(false);
            sendAll(query(5, T, 0));
            if (watermarksBetween) {
                harness.processWatermark(next); // the first generation is gone
                assertThat(harness.numKeyedStateEntries()).isZero();
            }
            sendAll(query(5, next, 1)); // BATCH: the first generation is still in state
            harness.processWatermark(Long.MAX_VALUE);
            assertThat(reasons()).isEmpty();
            outputs.add(harness.extractOutputValues());
            harness.close();
        }
        harness = null;
        assertThat(outputs.get(0)).hasSize(2).isEqualTo(outputs.get(1));
        assertThat(outputs.get(0).get(1).time).isEqualTo(next);
    }

    /**
     * Random sets of parts for one id (query events and arrivals at a few times, some equal, some
     * not), once in time order with no watermark until the end, as BATCH sorts a key, and once in
     * an arrival order that a stream can produce (every part before the watermark passes its time)
     * with watermarks in between: the same rows and the same reports.
     */
    @Test
    void batchOrderAndStreamOrderGiveTheSameOutcome() throws Exception {
        long lateness = 2 * HOUR;
        for (int seed = 0; seed < 300; seed++) {
            Random r = new Random(seed);
            List<VectorPart> parts = new ArrayList<>();
            int queries = r.nextInt(4);
            for (int i = 0; i < queries; i++) {
                parts.addAll(query(5, T + HOUR * r.nextInt(2), r.nextInt(2)));
            }
            int arrivals = r.nextInt(3);
            for (int i = 0; i < arrivals; i++) {
                parts.add(arrival(5, T + HOUR * (2 + r.nextInt(2)), 15L + r.nextInt(2)));
            }
            if (r.nextInt(4) == 0) {
                parts.add(late(5, T + 5 * HOUR));
            }
            if (parts.isEmpty()) {
                continue;
            }

            List<VectorPart> batch = new ArrayList<>(parts);
            Collections.shuffle(batch, r);
            batch.sort((a, b) -> Long.compare(a.time, b.time)); // stable: ties stay shuffled
            open(true);
            sendAll(batch);
            harness.processWatermark(Long.MAX_VALUE);
            List<FeatureRow> batchRows = harness.extractOutputValues();
            List<String> batchReasons = reasons();
            harness.close();

            List<long[]> order = new ArrayList<>(); // arrival key, index
            for (int i = 0; i < parts.size(); i++) {
                order.add(new long[] {parts.get(i).time + r.nextInt((int) lateness), i});
            }
            order.sort((a, b) -> Long.compare(a[0], b[0]));
            open(true);
            long maxSeen = Long.MIN_VALUE;
            long watermark = Long.MIN_VALUE;
            for (long[] o : order) {
                VectorPart p = parts.get((int) o[1]);
                send(p);
                maxSeen = Math.max(maxSeen, p.time);
                if (r.nextBoolean() && maxSeen - lateness - 1 > watermark) {
                    watermark = maxSeen - lateness - 1;
                    harness.processWatermark(watermark);
                }
            }
            harness.processWatermark(Long.MAX_VALUE);
            List<FeatureRow> streamRows = harness.extractOutputValues();
            List<String> streamReasons = reasons();
            assertThat(harness.numKeyedStateEntries()).isZero();
            harness.close();
            harness = null;

            assertThat(streamRows).as("rows, seed %d: %s", seed, parts).isEqualTo(batchRows);
            assertThat(streamReasons)
                    .as("reports, seed %d", seed)
                    .containsExactlyInAnyOrderElementsOf(batchReasons);
            if (batchRows.isEmpty()) {
                assertThat(batchReasons).as("seed %d: no row and no report", seed).isNotEmpty();
            }
        }
    }
}
