package dev.parity.features.flink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parity.features.api.FlightFeatures;
import dev.parity.features.events.FlightEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.util.OutputTag;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EventRouterTest {
    private static final long T = Instant.parse("2001-01-10T12:00:00Z").toEpochMilli();
    private static final long MINUTE = 60_000L;

    private OneInputStreamOperatorTestHarness<FlightEvent, GroupInput> harness;

    private void open(boolean withLabel) throws Exception {
        harness =
                new OneInputStreamOperatorTestHarness<>(
                        new EventRouter(FlightFeatures.standard(), withLabel));
        harness.open();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (harness != null) {
            harness.close();
        }
    }

    private void send(FlightEvent e) throws Exception {
        harness.processElement(e, e.time);
    }

    private <X> List<X> side(OutputTag<X> tag) {
        Queue<StreamRecord<X>> records = harness.getSideOutput(tag);
        List<X> out = new ArrayList<>();
        if (records != null) {
            for (StreamRecord<X> r : records) {
                out.add(r.getValue());
            }
        }
        return out;
    }

    @Test
    void departureFansOutToEveryGroupAndSendsItsContext() throws Exception {
        open(true);
        FlightEvent d = FlightEvent.departure(7, T, "ORD", "JFK", 740);

        send(d);

        List<GroupInput> out = harness.extractOutputValues();
        assertThat(out)
                .extracting(in -> in.key, in -> in.group, in -> in.contributes, in -> in.query)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("0|ORD", 0, true, true),
                        org.assertj.core.groups.Tuple.tuple("1|JFK", 1, false, true),
                        org.assertj.core.groups.Tuple.tuple("2|ORD>JFK", 2, false, true));
        assertThat(out).allSatisfy(in -> assertThat(in.event).isEqualTo(d));

        List<FlightPart> parts = side(EventRouter.PARTS);
        assertThat(parts).hasSize(1);
        FlightPart context = parts.get(0);
        assertThat(context.kind).isEqualTo(FlightPart.CONTEXT);
        assertThat(context.id).isEqualTo(7);
        assertThat(context.time).isEqualTo(T);
        assertThat(context.origin).isEqualTo("ORD");
        assertThat(context.dest).isEqualTo("JFK");
        assertThat(context.distance).isEqualTo(740);
        assertThat(side(EventRouter.LATE)).isEmpty();
    }

    @Test
    void arrivalContributesToEveryGroupAndSendsTheLabel() throws Exception {
        open(true);
        FlightEvent a = FlightEvent.arrival(7, T + 3_600_000L, "ORD", "JFK", -4);

        send(a);

        assertThat(harness.extractOutputValues())
                .extracting(in -> in.key, in -> in.group, in -> in.contributes, in -> in.query)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("0|ORD", 0, true, false),
                        org.assertj.core.groups.Tuple.tuple("1|JFK", 1, true, false),
                        org.assertj.core.groups.Tuple.tuple("2|ORD>JFK", 2, true, false));
        List<FlightPart> parts = side(EventRouter.PARTS);
        assertThat(parts).hasSize(1);
        assertThat(parts.get(0).kind).isEqualTo(FlightPart.LABEL);
        assertThat(parts.get(0).id).isEqualTo(7);
        assertThat(parts.get(0).time).isEqualTo(a.time);
        assertThat(parts.get(0).label).isEqualTo(-4);
    }

    @Test
    void arrivalSendsNoLabelWhenLabelsAreOff() throws Exception {
        open(false);

        send(FlightEvent.arrival(7, T, "ORD", "JFK", 12));

        assertThat(harness.extractOutputValues()).hasSize(3);
        assertThat(side(EventRouter.PARTS)).isEmpty();
    }

    @Test
    void departureAtTheWatermarkIsLateAndIsNoLongerAQuery() throws Exception {
        open(true);
        harness.processWatermark(T);
        FlightEvent d = FlightEvent.departure(1, T, "ORD", "JFK", 740);

        send(d);

        // it still counts for origin_dep_1h, from the first query not yet answered on
        assertThat(harness.extractOutputValues())
                .extracting(in -> in.key, in -> in.contributes, in -> in.query, in -> in.notBefore)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("0|ORD", true, false, T + 1));
        List<FlightPart> parts = side(EventRouter.PARTS);
        assertThat(parts).hasSize(1);
        assertThat(parts.get(0).kind).isEqualTo(FlightPart.LATE);
        assertThat(parts.get(0).watermark).isEqualTo(T);
        List<LateEvent> late = side(EventRouter.LATE);
        assertThat(late).hasSize(1);
        assertThat(late.get(0).event).isEqualTo(d);
        assertThat(late.get(0).watermark).isEqualTo(T);
        assertThat(late.get(0).queryLate).isTrue();
        // the departure at exactly T changes answers from T + 1 on: none was given yet
        assertThat(late.get(0).missed).isEmpty();
        assertThat(late.get(0).reason())
                .contains("2001-01-10T12:00:00Z")
                .contains("not after the watermark")
                .contains("no prediction for flight 1");
    }

    @Test
    void arrivalBehindTheWatermarkNamesTheAnswersItMissed() throws Exception {
        open(true);
        harness.processWatermark(T);
        FlightEvent a = FlightEvent.arrival(2, T - MINUTE, "ORD", "JFK", 3);

        send(a);

        List<LateEvent> late = side(EventRouter.LATE);
        assertThat(late).hasSize(1);
        assertThat(late.get(0).queryLate).isFalse();
        // every sliding window that takes arrivals missed the queries (T - 1 min, T]; the daily
        // feature only changes at the next midnight, which no query has reached
        assertThat(late.get(0).missed)
                .extracting(m -> m.feature, m -> m.key, m -> m.from, m -> m.until)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(
                                "origin_delay_mean_6h", "ORD", T - MINUTE + 1, T + 1),
                        org.assertj.core.groups.Tuple.tuple(
                                "dest_arr_1h", "JFK", T - MINUTE + 1, T + 1),
                        org.assertj.core.groups.Tuple.tuple(
                                "dest_delay_mean_1h", "JFK", T - MINUTE + 1, T + 1),
                        org.assertj.core.groups.Tuple.tuple(
                                "route_delay_mean_7d", "ORD>JFK", T - MINUTE + 1, T + 1));
        assertThat(late.get(0).missed[0].covers("ORD", T)).isTrue();
        assertThat(late.get(0).missed[0].covers("ORD", T + 1)).isFalse();
        assertThat(late.get(0).missed[0].covers("LAX", T)).isFalse();
        // applied everywhere from T + 1 on, and its label still reaches the join
        assertThat(harness.extractOutputValues())
                .extracting(in -> in.key, in -> in.notBefore)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("0|ORD", T + 1),
                        org.assertj.core.groups.Tuple.tuple("1|JFK", T + 1),
                        org.assertj.core.groups.Tuple.tuple("2|ORD>JFK", T + 1));
        assertThat(side(EventRouter.PARTS))
                .extracting(p -> p.kind)
                .containsExactly(FlightPart.LABEL);
    }

    @Test
    void arrivalExactlyAtTheWatermarkChangesNoAnswerGivenAndIsOnTime() throws Exception {
        open(false);
        harness.processWatermark(T);

        send(FlightEvent.arrival(2, T, "ORD", "JFK", 3));

        assertThat(side(EventRouter.LATE)).isEmpty();
        assertThat(harness.extractOutputValues())
                .hasSize(3)
                .allSatisfy(in -> assertThat(in.notBefore).isEqualTo(Long.MIN_VALUE));
    }

    @Test
    void lateArrivalThatOnlyFeedsATomorrowsDailyFeatureIsOnTime() throws Exception {
        // with only the daily feature, an arrival an hour behind the watermark changes answers
        // from the next midnight on, and none of those was given yet
        harness =
                new OneInputStreamOperatorTestHarness<>(
                        new EventRouter(FlightFeatures.online(), false));
        harness.open();
        harness.processWatermark(T);

        send(FlightEvent.arrival(2, T - 60 * MINUTE, "ORD", "JFK", 3));

        assertThat(side(EventRouter.LATE)).isEmpty();
    }

    @Test
    void idleStatusIsNeverForwarded() throws Exception {
        open(false);
        harness.processWatermarkStatus(WatermarkStatus.IDLE);
        harness.processWatermark(T);
        harness.processWatermarkStatus(WatermarkStatus.ACTIVE);

        assertThat(harness.getOutput())
                .noneMatch(o -> o instanceof WatermarkStatus)
                .anyMatch(o -> o instanceof Watermark && ((Watermark) o).getTimestamp() == T);
    }

    @Test
    void eventJustAfterTheWatermarkIsOnTime() throws Exception {
        open(true);
        harness.processWatermark(T);

        send(FlightEvent.departure(1, T + 1, "ORD", "JFK", 740));

        assertThat(harness.extractOutputValues()).hasSize(3);
        assertThat(side(EventRouter.PARTS)).hasSize(1);
        assertThat(side(EventRouter.LATE)).isEmpty();
    }

    @Test
    void restoredRouterKeepsTheWatermarkItHadAtTheCheckpoint() throws Exception {
        open(false);
        harness.processWatermark(T);
        OperatorSubtaskState snapshot = harness.snapshot(1L, 1L);
        harness.close();

        harness =
                new OneInputStreamOperatorTestHarness<>(
                        new EventRouter(FlightFeatures.standard(), false));
        harness.initializeState(snapshot);
        harness.open();
        // no watermark since the restore: the groups' restored state has still answered up to T
        send(FlightEvent.departure(1, T - MINUTE, "ORD", "JFK", 740));

        assertThat(side(EventRouter.LATE))
                .singleElement()
                .satisfies(l -> assertThat(l.watermark).isEqualTo(T));
    }
}
