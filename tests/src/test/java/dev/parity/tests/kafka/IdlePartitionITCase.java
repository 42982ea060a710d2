package dev.parity.tests.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.parity.features.engine.EventRow;
import dev.parity.features.reference.FlightRow;
import dev.parity.jobs.kafka.EmbeddedKafka;
import dev.parity.jobs.kafka.PredictionRecords;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report of issue 12, with the real broker: partition 1 sends one departure and falls silent
 * for longer than {@code parity.events.idleness} while partition 0 moves event time six hours on;
 * then partition 1 sends the departure of flight 13 at 00:40. Flight 13 must be reported late and
 * incomplete, never predicted, and every other prediction must equal the backfill's or be named as
 * missed by a late record. (Before the fix, flight 13 was predicted -12.433886 instead of the
 * backfill's -6.7502017, and nothing reached the late or dead-letter topics.)
 */
class IdlePartitionITCase {
    private static final long MINUTE = 60_000L;
    private static final long DAY0 = Instant.parse("2001-01-01T00:00:00Z").toEpochMilli();
    private static final Duration IDLENESS = Duration.ofSeconds(2);

    private static EmbeddedKafka kafka;

    @TempDir Path tmp;

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = EmbeddedKafka.start();
    }

    @AfterAll
    static void stopKafka() throws Exception {
        if (kafka != null) {
            kafka.close();
        }
    }

    private static FlightRow row(long id, long minute, String origin, String dest, long delay) {
        return new FlightRow(id, DAY0 + minute * MINUTE, delay, 740, origin, dest);
    }

    @Test
    void aDepartureFromAPartitionThatWasIdleIsReportedLateNeverMispredicted() throws Exception {
        // partition 1: flight 1 at 00:00, later flight 13 at 00:40; partition 0: flights 2-12,
        // ORD and JFK traffic over six hours, so flight 13's windows are full of answered queries
        List<FlightRow> p1 = List.of(row(1, 0, "ORD", "JFK", 5), row(13, 40, "ORD", "JFK", 12));
        List<FlightRow> p0 = new ArrayList<>();
        long[] minutes = {10, 30, 50, 70, 95, 120, 150, 200, 260, 320, 370};
        for (int i = 0; i < minutes.length; i++) {
            p0.add(
                    row(
                            2 + i,
                            minutes[i],
                            i % 2 == 0 ? "ORD" : "JFK",
                            i % 3 == 0 ? "JFK" : "ORD",
                            3 * i - 7));
        }
        List<FlightRow> all = new ArrayList<>(p1);
        all.addAll(p0);
        Map<Long, String> expected = LatenessRun.backfill(tmp, all);

        String prefix = "idle";
        LatenessRun.createTopics(kafka, prefix, 2);
        String topic = prefix + ".events";
        JobClient job = LatenessRun.startJob(kafka, prefix, IDLENESS, 2, 0);
        try (KafkaProducer<byte[], byte[]> producer = LatenessRun.producer(kafka)) {
            LatenessRun.send(producer, topic, 1, FlightEvents.departure(p1.get(0)));
            // partition 1 falls silent for longer than the idleness timeout (the arrival pattern
            // under test, not a wait for a condition) ...
            Thread.sleep(IDLENESS.multipliedBy(2).toMillis());
            // ... while partition 0 moves event time six hours on
            for (EventRow e : LatenessRun.events(p0)) {
                LatenessRun.send(producer, topic, 0, e);
            }
            await("partition 0's flights predicted while partition 1 is idle")
                    .atMost(Duration.ofMinutes(2))
                    .until(() -> kafka.countAllCommitted(prefix + ".predictions") >= 8);
            // partition 1 resumes: flight 13 departs at 00:40, hours behind the watermark
            List<EventRow> rest = new ArrayList<>();
            rest.add(FlightEvents.departure(p1.get(1)));
            rest.add(FlightEvents.arrival(p1.get(0)));
            rest.add(FlightEvents.arrival(p1.get(1)));
            for (EventRow e : rest) {
                LatenessRun.send(producer, topic, 1, e);
            }
        }
        PredictionRecords.sendEndMarkers(
                kafka.bootstrapServers(), topic, 2, Instant.parse("2001-01-03T00:00:00Z"));
        await("every flight predicted or reported incomplete")
                .atMost(Duration.ofMinutes(2))
                .until(() -> LatenessRun.answered(kafka, prefix) >= all.size());
        CommittedRecords.awaitQuiet(kafka, prefix + ".predictions", Duration.ofSeconds(2));
        job.cancel().get(1, TimeUnit.MINUTES);

        LatenessRun.Verdict v = LatenessRun.Verdict.of(all, expected, kafka, prefix);
        LatenessRun.LateRecords late = LatenessRun.LateRecords.read(kafka, prefix + ".late");
        assertThat(v.silentExamples).as("silent differences").isEmpty();
        assertThat(v.silent).isZero();
        assertThat(v.missing)
                .as("flights neither predicted nor reported: %s", v.missingExamples)
                .isZero();
        assertThat(v.duplicates).isZero();
        // flight 13: late, with the watermark it missed, and an incomplete record instead of a
        // prediction
        assertThat(late.noPrediction).contains(13L);
        assertThat(late.incomplete).containsExactly(13L);
        assertThat(late.events)
                .anySatisfy(
                        n -> {
                            assertThat(n.path("event").path("id").asLong()).isEqualTo(13L);
                            assertThat(n.path("event").path("type").asText())
                                    .isEqualTo("departure");
                            assertThat(Instant.parse(n.path("watermark").asText()))
                                    .isAfter(Instant.parse("2001-01-01T05:00:00Z"));
                        });
        assertThat(v.incomplete).isEqualTo(1);
        assertThat(v.identical + v.explained).isEqualTo(all.size() - 1);
    }
}
