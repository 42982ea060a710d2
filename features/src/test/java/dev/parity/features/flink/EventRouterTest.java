package dev.parity.features.flink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parity.features.api.FlightFeatures;
import dev.parity.features.events.FlightEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.util.OutputTag;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EventRouterTest {
    private static final long T = Instant.parse("2001-01-10T12:00:00Z").toEpochMilli();

    private OneInputStreamOperatorTestHarness<FlightEvent, GroupInput> harness;

    private void open(boolean withLabel) throws Exception {
        harness =
                new OneInputStreamOperatorTestHarness<>(
                        new ProcessOperator<>(
                                new EventRouter(FlightFeatures.standard(), withLabel)));
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
    void eventAtOrBeforeTheWatermarkGoesOnlyToTheLateOutput() throws Exception {
        open(true);
        harness.processWatermark(T);
        FlightEvent atWatermark = FlightEvent.departure(1, T, "ORD", "JFK", 740);
        FlightEvent before = FlightEvent.arrival(2, T - 1, "ORD", "JFK", 3);

        send(atWatermark);
        send(before);

        assertThat(harness.extractOutputValues()).isEmpty();
        assertThat(side(EventRouter.PARTS)).isEmpty();
        List<LateEvent> late = side(EventRouter.LATE);
        assertThat(late).extracting(l -> l.event).containsExactly(atWatermark, before);
        assertThat(late).allSatisfy(l -> assertThat(l.watermark).isEqualTo(T));
        assertThat(late.get(0).reason())
                .contains("2001-01-10T12:00:00Z")
                .contains("not after the watermark");
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
}
