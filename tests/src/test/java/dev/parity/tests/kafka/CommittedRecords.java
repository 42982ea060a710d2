package dev.parity.tests.kafka;

import static org.awaitility.Awaitility.await;

import dev.parity.jobs.kafka.EmbeddedKafka;
import java.time.Duration;

/** Waiting on what a {@code read_committed} consumer sees, instead of sleeping. */
public final class CommittedRecords {
    private CommittedRecords() {}

    /** Waits until {@code topic} has at least {@code atLeast} committed records. */
    public static void awaitAtLeast(
            EmbeddedKafka kafka, String topic, long atLeast, Duration timeout) {
        await(topic + ": at least " + atLeast + " committed records")
                .atMost(timeout)
                .pollInterval(Duration.ofMillis(500))
                .until(() -> kafka.countAllCommitted(topic) >= atLeast);
    }

    /**
     * Waits until no new record is committed to {@code topic} for {@code quiet}, so that a late
     * duplicate (a transaction committed after the expected count was reached) is counted by the
     * caller's checks.
     */
    public static void awaitQuiet(EmbeddedKafka kafka, String topic, Duration quiet) {
        long[] last = {kafka.countAllCommitted(topic)};
        await(topic + ": no new committed record for " + quiet)
                .during(quiet)
                .atMost(quiet.multipliedBy(10))
                .pollInterval(Duration.ofMillis(500))
                .until(
                        () -> {
                            long now = kafka.countAllCommitted(topic);
                            boolean unchanged = now == last[0];
                            last[0] = now;
                            return unchanged;
                        });
    }
}
