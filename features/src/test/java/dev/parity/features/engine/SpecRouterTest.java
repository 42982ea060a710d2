package dev.parity.features.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

import dev.parity.features.spec.BundledSpec;
import dev.parity.features.spec.FeatureSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.util.OutputTag;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link SpecRouter} in the operator harness: the fan-out to the groups and the join, the one
 * lateness decision per event against the watermark (late queries, missed answers, what is still on
 * time), idle status, and the fingerprint and watermark kept across a restore.
 */
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

    /**
     * Flights with only the daily feature: an arrival feeds it from the next UTC midnight on, so it
     * is late only when that midnight is at or before the watermark.
     */
    private static final SpecPlan DAILY =
            SpecPlan.of(
                    FeatureSpec.parse(
                            "name: daily_v1\n"
                                    + "events:\n"
                                    + "  departure:\n"
                                    + "    fields: {id: long, time: timestamp, origin: string}\n"
                                    + "    id: id\n"
                                    + "    time: time\n"
                                    + "  arrival:\n"
                                    + "    fields: {id: long, time: timestamp, origin: string,"
                                    + " delay: long}\n"
                                    + "    id: id\n"
                                    + "    time: time\n"
                                    + "query: {event: departure, context: [origin]}\n"
                                    + "features:\n"
                                    + "  - {name: origin_delay_mean_30d_daily, event: arrival,"
                                    + " key: [origin], value: delay,"
                                    + " window: {days: 30, daily: true}, aggregation: mean}\n",
                            "daily.yaml"));

    /**
     * Groups: 0 = [origin] (origin_dep_1h, origin_delay_mean_6h, origin_delay_mean_30d_daily), 1 =
     * [dest] (dest_arr_1h, dest_delay_mean_1h), 2 = [origin, dest] (route_delay_mean_7d).
     */
    private static final SpecPlan FLIGHTS = SpecPlan.of(BundledSpec.flights());

    /** A Wednesday, 12:00 UTC. */
    private static final long T = Instant.parse("2001-01-10T12:00:00Z").toEpochMilli();

    private static final long MINUTE = 60_000L;

    /** Operator keys: the group index, then each key value typed and length-prefixed. */
    private static final String ORD = "0|s3:ORD";

    private static final String JFK = "1|s3:JFK";
    private static final String ORD_JFK = "2|s3:ORDs3:JFK";

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

    private void open(SpecPlan plan) throws Exception {
        harness = new OneInputStreamOperatorTestHarness<>(new SpecRouter(plan));
        harness.open();
    }

    private void send(EventRow e) throws Exception {
        harness.processElement(new StreamRecord<>(e, e.time));
    }

    private static EventRow departure(long id, long t, String origin, String dest) {
        return new EventRow(
                FLIGHTS.kind("departure").index(), id, t, new Object[] {id, t, origin, dest, 740L});
    }

    private static EventRow arrival(long id, long t, String origin, String dest, long delay) {
        return new EventRow(
                FLIGHTS.kind("arrival").index(), id, t, new Object[] {id, t, origin, dest, delay});
    }

    private static EventRow dailyArrival(long id, long t, String origin) {
        return new EventRow(DAILY.kind("arrival").index(), id, t, new Object[] {id, t, origin, 3L});
    }

    @Test
    void aQueryFansOutToEveryGroupAndSendsItsContext() throws Exception {
        open(FLIGHTS);
        EventRow d = departure(7, T, "ORD", "JFK");

        send(d);

        List<RoutedEvent> out = harness.extractOutputValues();
        // departures feed only origin_dep_1h (group 0); every group answers the query
        assertThat(out)
                .extracting(in -> in.key, in -> in.group, in -> in.contributes, in -> in.query)
                .containsExactly(
                        tuple(ORD, 0, true, true),
                        tuple(JFK, 1, false, true),
                        tuple(ORD_JFK, 2, false, true));
        assertThat(out)
                .allSatisfy(
                        in -> {
                            assertThat(in.event).isEqualTo(d);
                            assertThat(in.notBefore).isEqualTo(Long.MIN_VALUE);
                        });
        // dep_time, origin, dest, distance, dep_hour (12), dep_dow (Wednesday: 3)
        assertThat(side(SpecRouter.PARTS))
                .singleElement()
                .satisfies(
                        p -> {
                            assertThat(p.part).isEqualTo(VectorPart.CONTEXT);
                            assertThat(p.id).isEqualTo(7);
                            assertThat(p.time).isEqualTo(T);
                            assertThat(p.values).containsExactly(T, "ORD", "JFK", 740L, 12L, 3L);
                        });
        assertThat(side(SpecRouter.LATE)).isEmpty();
    }

    @Test
    void aLabelEventContributesToEveryGroupAndSendsTheLabel() throws Exception {
        open(FLIGHTS);
        EventRow a = arrival(7, T + 60 * MINUTE, "ORD", "JFK", -4);

        send(a);

        assertThat(harness.extractOutputValues())
                .extracting(in -> in.key, in -> in.group, in -> in.contributes, in -> in.query)
                .containsExactly(
                        tuple(ORD, 0, true, false),
                        tuple(JFK, 1, true, false),
                        tuple(ORD_JFK, 2, true, false));
        assertThat(side(SpecRouter.PARTS))
                .singleElement()
                .satisfies(
                        p -> {
                            assertThat(p.part).isEqualTo(VectorPart.LABEL);
                            assertThat(p.id).isEqualTo(7);
                            assertThat(p.time).isEqualTo(a.time);
                            assertThat(p.values).containsExactly(-4L);
                        });
        assertThat(side(SpecRouter.LATE)).isEmpty();
    }

    @Test
    void aQueryAtTheWatermarkIsLateAndIsNoLongerAQuery() throws Exception {
        open(FLIGHTS);
        harness.processWatermark(T);
        EventRow d = departure(1, T, "ORD", "JFK");

        send(d);

        // it still counts for origin_dep_1h, from the first query not yet answered on; the other
        // groups, which it only asked, get nothing
        assertThat(harness.extractOutputValues())
                .extracting(in -> in.key, in -> in.contributes, in -> in.query, in -> in.notBefore)
                .containsExactly(tuple(ORD, true, false, T + 1));
        // no context: the join gets the news that the query was late instead
        assertThat(side(SpecRouter.PARTS))
                .singleElement()
                .satisfies(
                        p -> {
                            assertThat(p.part).isEqualTo(VectorPart.LATE);
                            assertThat(p.id).isEqualTo(1);
                            assertThat(p.time).isEqualTo(T);
                            assertThat(p.watermark).isEqualTo(T);
                        });
        assertThat(side(SpecRouter.LATE))
                .singleElement()
                .satisfies(
                        l -> {
                            assertThat(l.event).isEqualTo(d);
                            assertThat(l.kind).isEqualTo("departure");
                            assertThat(l.watermark).isEqualTo(T);
                            assertThat(l.queryLate).isTrue();
                            // a departure at exactly T changes answers from T + 1 on: none given
                            assertThat(l.missed).isEmpty();
                            assertThat(l.reason())
                                    .isEqualTo(
                                            "departure at 2001-01-10T12:00:00Z arrived behind the"
                                                    + " watermark 2001-01-10T12:00:00Z: its own row"
                                                    + " cannot be exact");
                        });
    }

    @Test
    void anEventBehindTheWatermarkNamesTheAnswersItMissed() throws Exception {
        open(FLIGHTS);
        harness.processWatermark(T);
        EventRow a = arrival(2, T - MINUTE, "ORD", "JFK", 3);

        send(a);

        // every sliding window that takes arrivals missed the queries (T - 1 min, T]; the daily
        // feature only changes at the next midnight, which no query has reached
        LateRecord late = side(SpecRouter.LATE).get(0);
        assertThat(side(SpecRouter.LATE)).hasSize(1);
        assertThat(late.queryLate).isFalse();
        assertThat(late.missed)
                .extracting(m -> m.feature, m -> m.key, m -> m.from, m -> m.until)
                .containsExactly(
                        tuple("origin_delay_mean_6h", "ORD", T - MINUTE + 1, T + 1),
                        tuple("dest_arr_1h", "JFK", T - MINUTE + 1, T + 1),
                        tuple("dest_delay_mean_1h", "JFK", T - MINUTE + 1, T + 1),
                        tuple("route_delay_mean_7d", "ORD|JFK", T - MINUTE + 1, T + 1));
        assertThat(late.missed[0].covers("ORD", T)).isTrue();
        assertThat(late.missed[0].covers("ORD", T - MINUTE)).isFalse();
        assertThat(late.missed[0].covers("ORD", T + 1)).isFalse();
        assertThat(late.missed[0].covers("LAX", T)).isFalse();
        assertThat(late.missedText())
                .startsWith(
                        "origin_delay_mean_6h[ORD]@2001-01-10T11:59:00.001Z"
                                + "/2001-01-10T12:00:00.001Z dest_arr_1h[JFK]@");
        assertThat(late.reason()).endsWith(": 4 answered window(s) missed it");
        // applied everywhere from T + 1 on, and its label still reaches the join
        assertThat(harness.extractOutputValues())
                .extracting(in -> in.key, in -> in.contributes, in -> in.query, in -> in.notBefore)
                .containsExactly(
                        tuple(ORD, true, false, T + 1),
                        tuple(JFK, true, false, T + 1),
                        tuple(ORD_JFK, true, false, T + 1));
        assertThat(side(SpecRouter.PARTS))
                .extracting(p -> p.part)
                .containsExactly(VectorPart.LABEL);
    }

    @Test
    void anEventExactlyAtTheWatermarkChangesNoAnswerGivenAndIsOnTime() throws Exception {
        open(FLIGHTS);
        harness.processWatermark(T);

        send(arrival(2, T, "ORD", "JFK", 3));

        assertThat(side(SpecRouter.LATE)).isEmpty();
        assertThat(harness.extractOutputValues())
                .hasSize(3)
                .allSatisfy(in -> assertThat(in.notBefore).isEqualTo(Long.MIN_VALUE));
    }

    @Test
    void aQueryJustAfterTheWatermarkIsOnTime() throws Exception {
        open(FLIGHTS);
        harness.processWatermark(T);

        send(departure(1, T + 1, "ORD", "JFK"));

        assertThat(harness.extractOutputValues())
                .hasSize(3)
                .allSatisfy(
                        in -> {
                            assertThat(in.query).isTrue();
                            assertThat(in.notBefore).isEqualTo(Long.MIN_VALUE);
                        });
        assertThat(side(SpecRouter.PARTS))
                .extracting(p -> p.part)
                .containsExactly(VectorPart.CONTEXT);
        assertThat(side(SpecRouter.LATE)).isEmpty();
    }

    @Test
    void anEventThatOnlyFeedsADailyFeatureIsLateOnlyOnceItsMidnightIsAnswered() throws Exception {
        open(DAILY);
        harness.processWatermark(T);

        // an hour behind the watermark: it changes answers from tomorrow's midnight on, and none
        // of those was given yet
        send(dailyArrival(2, T - 60 * MINUTE, "ORD"));
        assertThat(side(SpecRouter.LATE)).isEmpty();
        assertThat(harness.extractOutputValues())
                .singleElement()
                .satisfies(in -> assertThat(in.notBefore).isEqualTo(Long.MIN_VALUE));

        // yesterday evening: it belongs to every window from today's midnight on, and the queries
        // from then to the watermark were answered without it
        long today = Instant.parse("2001-01-10T00:00:00Z").toEpochMilli();
        send(dailyArrival(3, today - 60 * MINUTE, "ORD"));
        assertThat(side(SpecRouter.LATE))
                .singleElement()
                .satisfies(
                        l ->
                                assertThat(l.missed)
                                        .extracting(
                                                m -> m.feature,
                                                m -> m.key,
                                                m -> m.from,
                                                m -> m.until)
                                        .containsExactly(
                                                tuple(
                                                        "origin_delay_mean_30d_daily",
                                                        "ORD",
                                                        today,
                                                        T + 1)));
        assertThat(harness.extractOutputValues())
                .extracting(in -> in.notBefore)
                .containsExactly(Long.MIN_VALUE, T + 1);
    }

    @Test
    void idleStatusIsNeverForwarded() throws Exception {
        open(FLIGHTS);
        harness.processWatermarkStatus(WatermarkStatus.IDLE);
        harness.processWatermark(T);
        harness.processWatermarkStatus(WatermarkStatus.ACTIVE);

        assertThat(harness.getOutput())
                .noneMatch(o -> o instanceof WatermarkStatus)
                .anyMatch(o -> o instanceof Watermark && ((Watermark) o).getTimestamp() == T);
    }

    @Test
    void aRestoredRouterResumesFromTheLowestWatermarkOfAnySubtask() throws Exception {
        // the groups behind two router subtasks have answered up to the lower of the two
        OperatorSubtaskState merged =
                AbstractStreamOperatorTestHarness.repackageState(
                        snapshotWithWatermark(FLIGHTS, T + 10 * MINUTE),
                        snapshotWithWatermark(FLIGHTS, T));
        harness = new OneInputStreamOperatorTestHarness<>(new SpecRouter(FLIGHTS));
        harness.initializeState(merged);
        harness.open();

        send(arrival(1, T + 5 * MINUTE, "ORD", "JFK", 3));
        assertThat(side(SpecRouter.LATE)).isEmpty();
        send(departure(2, T, "ORD", "JFK"));
        assertThat(side(SpecRouter.LATE))
                .singleElement()
                .satisfies(l -> assertThat(l.watermark).isEqualTo(T));
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
