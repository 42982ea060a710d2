package dev.parity.tests.kafka;

import dev.parity.features.engine.EventRow;
import dev.parity.features.reference.FlightRow;
import dev.parity.jobs.kafka.EmbeddedKafka;
import dev.parity.jobs.kafka.PredictionRecords;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.producer.KafkaProducer;

/**
 * One seeded chaos run (issue 12): the first {@link #FLIGHTS} flights of the sample, streamed into
 * two partitions by two producers that each follow their own random schedule (pauses longer and
 * shorter than the idleness timeout, bursts, producer delays), through the streaming job at
 * parallelism 2, which an injected failure restarts from its last checkpoint once mid-run. The
 * verdict compares every committed prediction with the backfill. Everything random comes from the
 * seed; the machine's timing is not (a seed gives the same schedule, not the same interleaving).
 */
public final class ChaosRun {
    public static final int FLIGHTS = 2000;
    public static final Duration IDLENESS = Duration.ofSeconds(1);
    private static final int PARTITIONS = 2;

    private ChaosRun() {}

    /** The schedule and the verdict of one run. */
    public static final class Result {
        public final long seed;
        public final String schedule;
        public final LatenessRun.Verdict verdict;
        public final double seconds;
        public final String prefix;

        Result(
                long seed,
                String prefix,
                String schedule,
                LatenessRun.Verdict verdict,
                double seconds) {
            this.seed = seed;
            this.prefix = prefix;
            this.schedule = schedule;
            this.verdict = verdict;
            this.seconds = seconds;
        }

        @Override
        public String toString() {
            return String.format(
                    Locale.ROOT, "seed %d (%s, %.1f s): %s", seed, schedule, seconds, verdict);
        }
    }

    /**
     * The flights of every run, and their backfill predictions (computed once into {@code dir}).
     */
    public static final class Reference {
        final List<FlightRow> rows;
        final Map<Long, String> expected;

        public Reference(Path dir) throws Exception {
            rows = LatenessRun.sampleRows(FLIGHTS);
            expected = LatenessRun.backfill(dir, rows);
        }
    }

    public static Result run(EmbeddedKafka kafka, Reference ref, long seed) throws Exception {
        return run(kafka, ref, seed, IDLENESS, Duration.ZERO);
    }

    /**
     * A run with the job's idleness timeout and watermark alignment set (zero: off); the schedule's
     * pauses stay relative to {@link #IDLENESS}, so one seed sends the same way.
     */
    public static Result run(
            EmbeddedKafka kafka, Reference ref, long seed, Duration idleness, Duration alignment)
            throws Exception {
        long start = System.nanoTime();
        Random rnd = new Random(seed);
        String prefix = "chaos-" + seed + "-" + System.nanoTime();
        LatenessRun.createTopics(kafka, prefix, PARTITIONS);
        String topic = prefix + ".events";

        List<List<EventRow>> byPartition = new ArrayList<>();
        for (int p = 0; p < PARTITIONS; p++) {
            byPartition.add(new ArrayList<>());
        }
        List<EventRow> events = LatenessRun.events(ref.rows);
        for (EventRow e : events) {
            byPartition.get((int) (e.id % PARTITIONS)).add(e);
        }
        long failAfter = events.size() / 4 + rnd.nextInt(events.size() / 2);
        List<Schedule> schedules = new ArrayList<>();
        StringBuilder described = new StringBuilder("restart after " + failAfter + " events");
        for (int p = 0; p < PARTITIONS; p++) {
            Schedule s = Schedule.random(rnd, byPartition.get(p).size());
            schedules.add(s);
            described.append("; p").append(p).append(' ').append(s);
        }

        JobClient job = LatenessRun.startJob(kafka, prefix, idleness, alignment, 2, failAfter);
        AtomicReference<Exception> failure = new AtomicReference<>();
        List<Thread> senders = new ArrayList<>();
        for (int p = 0; p < PARTITIONS; p++) {
            int partition = p;
            Thread t =
                    new Thread(
                            () -> {
                                try {
                                    send(
                                            kafka,
                                            topic,
                                            partition,
                                            byPartition.get(partition),
                                            schedules.get(partition));
                                } catch (Exception e) {
                                    failure.compareAndSet(null, e);
                                }
                            },
                            "chaos-producer-" + p);
            t.start();
            senders.add(t);
        }
        for (Thread t : senders) {
            t.join();
        }
        if (failure.get() != null) {
            job.cancel().get(1, TimeUnit.MINUTES);
            throw failure.get();
        }
        PredictionRecords.sendEndMarkers(
                kafka.bootstrapServers(), topic, PARTITIONS, Instant.parse("2001-01-05T00:00:00Z"));
        try {
            org.awaitility.Awaitility.await(
                            prefix + ": every flight predicted or reported incomplete")
                    .atMost(Duration.ofMinutes(3))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> LatenessRun.answered(kafka, prefix) >= ref.rows.size());
            // a duplicate or a late record committed after the count was reached is still seen
            CommittedRecords.awaitQuiet(kafka, prefix + ".predictions", Duration.ofSeconds(2));
        } finally {
            job.cancel().get(1, TimeUnit.MINUTES);
        }
        LatenessRun.Verdict v = LatenessRun.Verdict.of(ref.rows, ref.expected, kafka, prefix);
        return new Result(seed, prefix, described.toString(), v, (System.nanoTime() - start) / 1e9);
    }

    private static void send(
            EmbeddedKafka kafka, String topic, int partition, List<EventRow> events, Schedule s)
            throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = LatenessRun.producer(kafka)) {
            for (int i = 0; i < events.size(); i++) {
                Long pause = s.pauses.get(i);
                if (pause != null) { // the seeded schedule itself: a producer pause, not a wait
                    producer.flush();
                    Thread.sleep(pause);
                }
                if (i % s.burst == 0 && s.delayMillis > 0) {
                    producer.flush();
                    Thread.sleep(s.delayMillis);
                }
                FlightEvents.send(producer, topic, partition, events.get(i));
            }
            producer.flush();
        }
    }

    /**
     * One producer's behaviour: 1-3 pauses at random positions, each 0.2-3x the idleness timeout
     * (so some shorter, some longer), and sends in bursts of {@code burst} records separated by a
     * producer delay of {@code delayMillis}.
     */
    static final class Schedule {
        final Map<Integer, Long> pauses = new java.util.TreeMap<>();
        int burst;
        long delayMillis;

        static Schedule random(Random rnd, int events) {
            Schedule s = new Schedule();
            int n = 1 + rnd.nextInt(3);
            for (int k = 0; k < n; k++) {
                long pause = (long) (IDLENESS.toMillis() * (0.2 + 2.8 * rnd.nextDouble()));
                s.pauses.put(rnd.nextInt(events), pause);
            }
            s.burst = 50 + rnd.nextInt(450);
            s.delayMillis = rnd.nextInt(40);
            return s;
        }

        @Override
        public String toString() {
            return "pauses "
                    + pauses.values()
                    + " ms, bursts of "
                    + burst
                    + " every "
                    + delayMillis
                    + " ms";
        }
    }
}
