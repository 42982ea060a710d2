package dev.parity.features.flink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parity.features.api.FlightFeatures;
import dev.parity.features.core.FeatureVector;
import dev.parity.features.engine.IncompleteVector;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Queue;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FeatureJoinFunctionTest {
    private static final long HOUR = 3_600_000L;
    private static final Duration TIMEOUT = Duration.ofDays(2);
    private static final double NAN = Double.NaN;

    /** A Wednesday, 12:00 UTC. */
    private static final long T = Instant.parse("2001-01-10T12:00:00Z").toEpochMilli();

    private KeyedOneInputStreamOperatorTestHarness<Long, FlightPart, FeatureVector> harness;

    private void open(boolean withLabel) throws Exception {
        harness =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(
                                new FeatureJoinFunction(
                                        FlightFeatures.standard(), withLabel, TIMEOUT)),
                        p -> p.id,
                        Types.LONG);
        harness.open();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (harness != null) {
            harness.close();
        }
    }

    private static FlightPart context(long id) {
        return FlightPart.context(id, T, "ORD", "JFK", 740);
    }

    private static FlightPart group0(long id) {
        return FlightPart.group(id, 0, T, new double[] {3, NAN, 12.5, NAN, NAN, NAN});
    }

    private static FlightPart group1(long id) {
        return FlightPart.group(id, 1, T, new double[] {NAN, 2, NAN, -1.5, NAN, NAN});
    }

    private static FlightPart group2(long id) {
        return FlightPart.group(id, 2, T, new double[] {NAN, NAN, NAN, NAN, 7.25, NAN});
    }

    private static FlightPart label(long id) {
        return FlightPart.label(id, T + 2 * HOUR, 15);
    }

    private void send(FlightPart p) throws Exception {
        harness.processElement(p, p.time);
    }

    private List<IncompleteVector> incomplete() {
        Queue<StreamRecord<IncompleteVector>> q =
                harness.getSideOutput(FeatureJoinFunction.INCOMPLETE);
        List<IncompleteVector> out = new ArrayList<>();
        if (q != null) {
            q.forEach(r -> out.add(r.getValue()));
        }
        return out;
    }

    private static FeatureVector expected(Long label) {
        FeatureVector v = new FeatureVector();
        v.id = 5;
        v.depTime = T;
        v.origin = "ORD";
        v.dest = "JFK";
        v.distance = 740;
        v.depHour = 12;
        v.depDow = 3;
        v.values = new double[] {3, 2, 12.5, -1.5, 7.25, NAN};
        v.label = label;
        return v;
    }

    @Test
    void joinsAllPartsIntoOneVectorAndClearsState() throws Exception {
        open(true);
        send(group1(5));
        send(context(5));
        send(label(5));
        send(group2(5));
        assertThat(harness.extractOutputValues()).isEmpty();
        assertThat(harness.numKeyedStateEntries()).isEqualTo(1);
        assertThat(harness.numEventTimeTimers()).isEqualTo(1);

        send(group0(5));

        assertThat(harness.extractOutputValues()).containsExactly(expected(15L));
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
        harness.processWatermark(T + 10 * TIMEOUT.toMillis());
        assertThat(incomplete()).isEmpty();
        assertThat(harness.extractOutputValues()).hasSize(1);
    }

    @Test
    void partOrderDoesNotMatter() throws Exception {
        open(true);
        List<FlightPart> parts =
                new ArrayList<>(List.of(context(5), group0(5), group1(5), group2(5), label(5)));
        for (long id = 100; id < 110; id++) {
            Collections.shuffle(parts, new java.util.Random(id));
            for (FlightPart p : parts) {
                FlightPart copy = copyWithId(p, id);
                send(copy);
            }
        }
        List<FeatureVector> out = harness.extractOutputValues();
        assertThat(out).hasSize(10);
        for (FeatureVector v : out) {
            FeatureVector e = expected(15L);
            e.id = v.id;
            assertThat(v).isEqualTo(e);
        }
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
    }

    private static FlightPart copyWithId(FlightPart p, long id) {
        FlightPart c = new FlightPart();
        c.id = id;
        c.kind = p.kind;
        c.time = p.time;
        c.values = p.values == null ? null : p.values.clone();
        c.origin = p.origin;
        c.dest = p.dest;
        c.distance = p.distance;
        c.label = p.label;
        return c;
    }

    @Test
    void withoutLabelTheVectorCompletesWithoutTheArrival() throws Exception {
        open(false);
        send(context(5));
        send(group0(5));
        send(group1(5));
        send(group2(5));

        assertThat(harness.extractOutputValues()).containsExactly(expected(null));
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
    }

    @Test
    void withoutLabelAStrayLabelPartLeavesNoStateOrTimer() throws Exception {
        open(false);
        send(label(5));
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();

        send(context(5));
        send(group0(5));
        send(group1(5));
        send(group2(5));

        assertThat(harness.extractOutputValues()).containsExactly(expected(null));
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
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

        harness.processWatermark(T + TIMEOUT.toMillis());
        assertThat(harness.extractOutputValues()).isEmpty();
        assertThat(incomplete())
                .singleElement()
                .satisfies(
                        i -> {
                            assertThat(i.id).isEqualTo(5);
                            assertThat(i.missing).isEqualTo("group 1 features");
                        });
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
    }

    @Test
    void missingDepartureAndLabelAreNamed() throws Exception {
        open(true);
        send(group0(5));
        send(group1(5));
        send(group2(5));

        harness.processWatermark(T + TIMEOUT.toMillis());

        assertThat(incomplete())
                .singleElement()
                .satisfies(i -> assertThat(i.missing).isEqualTo("departure; label (arrival)"));
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
    }

    @Test
    void timeoutRunsFromTheFirstPart() throws Exception {
        open(true);
        send(label(5));
        send(context(5));

        harness.processWatermark(T + TIMEOUT.toMillis());
        assertThat(incomplete()).isEmpty();

        harness.processWatermark(label(5).time + TIMEOUT.toMillis());
        assertThat(incomplete())
                .singleElement()
                .satisfies(
                        i ->
                                assertThat(i.missing)
                                        .isEqualTo(
                                                "group 0 features; group 1 features;"
                                                        + " group 2 features"));
    }

    @Test
    void lateDepartureIsReportedAtOnceAndItsLabelIsAbsorbed() throws Exception {
        open(true);
        send(FlightPart.late(5, T, T + HOUR));

        assertThat(incomplete())
                .singleElement()
                .satisfies(
                        i -> {
                            assertThat(i.id).isEqualTo(5);
                            assertThat(i.missing)
                                    .contains("departure at 2001-01-10T12:00:00Z was late")
                                    .contains("watermark 2001-01-10T13:00:00Z");
                        });
        send(label(5));
        harness.processWatermark(T + TIMEOUT.toMillis());

        // one record for the flight, no vector, and nothing left behind
        assertThat(incomplete()).hasSize(1);
        assertThat(harness.extractOutputValues()).isEmpty();
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
    }
}
