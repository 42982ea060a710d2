package dev.parity.features.flink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parity.features.api.FlightFeatures;
import dev.parity.features.events.FlightEvent;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class EventRouterTest {
    private OneInputStreamOperatorTestHarness<FlightEvent, GroupInput> harness;

    @BeforeEach
    void open() throws Exception {
        harness =
                ProcessFunctionTestHarnesses.forProcessFunction(
                        new EventRouter(FlightFeatures.standard(), true));
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    @Test
    void aDepartureQueriesEveryGroupContributesToOriginAndSendsItsContext() throws Exception {
        harness.processElement(FlightEvent.departure(7, 1000, "ORD", "LAX", 1745), 1000);

        assertThat(harness.extractOutputValues())
                .extracting(in -> in.key + " c=" + in.contributes + " q=" + in.query)
                .containsExactly(
                        "0|ORD c=true q=true", "1|LAX c=false q=true", "2|ORD>LAX c=false q=true");
        assertThat(harness.getSideOutput(EventRouter.PARTS))
                .extracting(StreamRecord::getValue)
                .singleElement()
                .satisfies(
                        p -> {
                            assertThat(p.kind).isEqualTo(FlightPart.CONTEXT);
                            assertThat(p.distance).isEqualTo(1745);
                        });
    }

    @Test
    void anArrivalContributesToEveryGroupAndSendsTheLabel() throws Exception {
        harness.processElement(FlightEvent.arrival(7, 9000, "ORD", "LAX", 42), 9000);

        assertThat(harness.extractOutputValues())
                .extracting(in -> in.key + " c=" + in.contributes + " q=" + in.query)
                .containsExactly(
                        "0|ORD c=true q=false", "1|LAX c=true q=false", "2|ORD>LAX c=true q=false");
        assertThat(harness.getSideOutput(EventRouter.PARTS))
                .extracting(StreamRecord::getValue)
                .singleElement()
                .satisfies(
                        p -> {
                            assertThat(p.kind).isEqualTo(FlightPart.LABEL);
                            assertThat(p.label).isEqualTo(42);
                        });
    }

    @Test
    void anEventNotAfterTheWatermarkGoesOnlyToTheLateOutput() throws Exception {
        harness.processWatermark(5000);
        harness.processElement(FlightEvent.departure(1, 5000, "ORD", "LAX", 10), 5000);
        harness.processElement(FlightEvent.departure(2, 5001, "ORD", "LAX", 10), 5001);

        assertThat(harness.getSideOutput(EventRouter.LATE))
                .extracting(r -> r.getValue().event.id + "@" + r.getValue().watermark)
                .containsExactly("1@5000");
        assertThat(harness.extractOutputValues()).allMatch(in -> in.event.id == 2);
        assertThat(harness.getSideOutput(EventRouter.PARTS))
                .extracting(r -> r.getValue().id)
                .containsExactly(2L);
    }
}
