package dev.parity.tests.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parity.features.engine.DecodedRow;
import dev.parity.features.engine.EventRow;
import dev.parity.features.reference.SampleData;
import dev.parity.jobs.ParityCli;
import dev.parity.jobs.kafka.EmbeddedKafka;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** `parity replay` into a real broker: every event once, JSON, keyed by id, in event-time order. */
class ReplayITCase {
    private static EmbeddedKafka kafka;

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = EmbeddedKafka.start();
        kafka.createTopic("flights.events", 2);
    }

    @AfterAll
    static void stopKafka() throws Exception {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void theSampleArrivesAsTwoEventsPerFlightInEventTimeOrderPerPartition() throws Exception {
        int exit =
                ParityCli.execute(
                        "replay",
                        "--events",
                        SampleData.path().toString(),
                        "--bootstrap-servers",
                        kafka.bootstrapServers(),
                        "--progress-interval-ms",
                        "0");
        assertThat(exit).isZero();

        int flights = SampleData.rows().size();
        List<ConsumerRecord<byte[], byte[]>> records =
                kafka.readCommitted("flights.events", 2L * flights);
        assertThat(records).hasSize(2 * flights);

        Map<Long, Integer> perFlight = new HashMap<>();
        Map<Integer, Long> lastTimePerPartition = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            DecodedRow d = FlightEvents.JSON.decode("flights.events", r.offset(), r.value());
            assertThat(d.reason).as(new String(r.value(), StandardCharsets.UTF_8)).isNull();
            EventRow e = d.events[0];
            assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo(Long.toString(e.id));
            perFlight.merge(e.id, e.kind == FlightEvents.DEPARTURE ? 1 : 10, Integer::sum);
            long last = lastTimePerPartition.getOrDefault(r.partition(), Long.MIN_VALUE);
            assertThat(e.time)
                    .as("event-time order in partition %d", r.partition())
                    .isGreaterThanOrEqualTo(last);
            lastTimePerPartition.put(r.partition(), e.time);
        }
        assertThat(perFlight).hasSize(flights).allSatisfy((id, n) -> assertThat(n).isEqualTo(11));
    }
}
