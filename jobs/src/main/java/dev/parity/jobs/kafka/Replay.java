package dev.parity.jobs.kafka;

import dev.parity.features.engine.EventJson;
import dev.parity.features.engine.EventRow;
import dev.parity.features.engine.SpecFileInput;
import dev.parity.features.engine.SpecPlan;
import dev.parity.jobs.backfill.BackfillJob;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * A replay as a Java API: a file's events written to Kafka as the spec's JSON ({@link EventJson}),
 * in event-time order ({@link EventTimeOrder}), keyed by event id, with an idempotent producer
 * (acks=all). A source row is expanded by the same decoder the backfill uses, so both modes see the
 * same events. {@code parity replay} and the demo run it.
 *
 * <pre>{@code
 * Replay.Result r =
 *         Replay.builder(plan)
 *                 .events("data/sample/flights-sample.csv")
 *                 .bootstrapServers("localhost:9092")
 *                 .topic("flights.events")
 *                 .speedup(3600)
 *                 .build()
 *                 .run();
 * }</pre>
 */
public final class Replay {
    private final SpecPlan plan;
    private final String events;
    private final String bootstrapServers;
    private final String topic;
    private final double speedup;
    private final long progressMillis;
    private final PrintStream progress;
    private final boolean endMarkers;

    private Replay(Builder b) {
        this.endMarkers = b.endMarkers;
        this.plan = b.plan;
        this.events = b.events;
        this.bootstrapServers = b.bootstrapServers;
        this.topic = b.topic;
        this.speedup = b.speedup;
        this.progressMillis = b.progressMillis;
        this.progress = b.progress;
    }

    public static Builder builder(SpecPlan plan) {
        return new Builder(plan);
    }

    /** What a replay did. */
    public record Result(
            long sent,
            long acknowledged,
            long invalidRows,
            long outOfOrderRows,
            double seconds,
            List<String> firstProblems,
            int endMarkers) {}

    /**
     * Checks the file against the spec, then sends every event and waits until the broker has
     * acknowledged them all.
     *
     * @throws IllegalArgumentException naming the file when it does not fit the spec (nothing sent)
     * @throws IllegalStateException when a write to Kafka failed
     */
    public Result run() throws Exception {
        BackfillJob.Input input = BackfillJob.inputs(plan, List.of(events)).get(0);
        BackfillJob.checkInput(events, input);
        KafkaPreflight.check(
                bootstrapServers,
                new Properties(),
                KafkaPreflight.TIMEOUT,
                true,
                "--topic=" + topic);
        EventJson json = new EventJson(plan);
        AtomicReference<Exception> failure = new AtomicReference<>();
        AtomicLong acked = new AtomicLong();
        long[] sent = {0};
        long[] invalid = {0};
        long[] firstEventTime = {Long.MIN_VALUE};
        long[] lastEventTime = {Long.MIN_VALUE};
        EventRow[] lastQuery = {null};
        int queryKind = plan.queryKind().index();
        int partitions;
        List<String> firstProblems = new ArrayList<>();
        long start = System.nanoTime();
        long[] lastProgress = {start};
        EventTimeOrder order;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProperties())) {
            order =
                    new EventTimeOrder(
                            e -> {
                                if (failure.get() != null) {
                                    throw new IllegalStateException(
                                            "Kafka write failed", failure.get());
                                }
                                pace(e.time, speedup, start, firstEventTime);
                                lastEventTime[0] = Math.max(lastEventTime[0], e.time);
                                if (e.kind == queryKind) {
                                    lastQuery[0] = e;
                                }
                                producer.send(
                                        new ProducerRecord<>(
                                                topic,
                                                Long.toString(e.id)
                                                        .getBytes(StandardCharsets.UTF_8),
                                                json.encode(e)),
                                        (meta, ex) -> {
                                            if (ex != null) {
                                                failure.compareAndSet(null, ex);
                                            } else {
                                                acked.incrementAndGet();
                                            }
                                        });
                                sent[0]++;
                                long now = System.nanoTime();
                                if (progressMillis > 0
                                        && now - lastProgress[0] > progressMillis * 1_000_000) {
                                    lastProgress[0] = now;
                                    progress.printf(
                                            Locale.ROOT,
                                            "[replay] %,d events sent, %,d acknowledged,"
                                                    + " %,.0f events/s%n",
                                            sent[0],
                                            acked.get(),
                                            sent[0] / ((now - start) / 1e9));
                                }
                            });
            SpecFileInput.forEachRow(
                    input.file(),
                    input.decoder(),
                    r -> {
                        if (r.isValid()) {
                            order.add(r.time(), r.events);
                        } else {
                            invalid[0]++;
                            if (firstProblems.size() < 5) {
                                firstProblems.add(r.source + ":" + r.line + ": " + r.reason);
                            }
                        }
                        return true;
                    });
            order.finish();
            producer.flush();
            if (failure.get() != null) {
                throw new IllegalStateException("Kafka write failed", failure.get());
            }
            partitions = producer.partitionsFor(topic).size();
        }
        int markers = 0;
        if (endMarkers && lastQuery[0] != null) {
            // a day after the last event, on every partition: the watermark of an unbounded
            // stream passes every event of the file, so each gets its prediction
            PredictionRecords.sendEndMarkers(
                    bootstrapServers,
                    topic,
                    partitions,
                    plan,
                    lastQuery[0],
                    java.time.Instant.ofEpochMilli(lastEventTime[0] + 86_400_000L));
            markers = partitions;
        }
        return new Result(
                sent[0],
                acked.get(),
                invalid[0],
                order.outOfOrderRows(),
                (System.nanoTime() - start) / 1e9,
                List.copyOf(firstProblems),
                markers);
    }

    private Properties producerProperties() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(256 * 1024));
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return props;
    }

    private static void pace(long time, double speedup, long start, long[] first) {
        if (speedup <= 0) {
            return;
        }
        if (first[0] == Long.MIN_VALUE) {
            first[0] = time;
        }
        long due = start + (long) ((time - first[0]) * 1_000_000.0 / speedup);
        long now;
        while ((now = System.nanoTime()) < due) {
            LockSupport.parkNanos(Math.min(due - now, 50_000_000L));
        }
    }

    /** Options of a {@link Replay}; defaults as {@code parity replay}'s. */
    public static final class Builder {
        private final SpecPlan plan;
        private String events;
        private String bootstrapServers;
        private String topic = "flights.events";
        private double speedup;
        private long progressMillis = 2000;
        private PrintStream progress = System.err;
        private boolean endMarkers;

        private Builder(SpecPlan plan) {
            this.plan = Objects.requireNonNull(plan, "plan");
        }

        /** The file, {@code [kind=]file} ({@link BackfillJob#inputs}). */
        public Builder events(String events) {
            this.events = events;
            return this;
        }

        public Builder bootstrapServers(String bootstrapServers) {
            this.bootstrapServers = bootstrapServers;
            return this;
        }

        public Builder topic(String topic) {
            this.topic = topic;
            return this;
        }

        /** N times faster than event time; 0 (the default) for no pacing. */
        public Builder speedup(double speedup) {
            this.speedup = speedup;
            return this;
        }

        /** Progress output period in milliseconds; 0 turns it off. */
        public Builder progressMillis(long progressMillis) {
            this.progressMillis = progressMillis;
            return this;
        }

        /**
         * After the file, one query event per partition a day after its last event, with ids from
         * {@link PredictionRecords#MARKER_ID}: the later traffic an unbounded stream needs before
         * it predicts the file's last events. Their own predictions are to be ignored.
         */
        public Builder endMarkers(boolean endMarkers) {
            this.endMarkers = endMarkers;
            return this;
        }

        public Builder progress(PrintStream progress) {
            this.progress = Objects.requireNonNull(progress, "progress");
            return this;
        }

        /**
         * @throws IllegalArgumentException naming the option that is missing or out of range
         */
        public Replay build() {
            if (events == null) {
                throw new IllegalArgumentException("--events: no event file given");
            }
            if (bootstrapServers == null || bootstrapServers.isBlank()) {
                throw new IllegalArgumentException("--bootstrap-servers: none given");
            }
            if (topic == null || topic.isBlank()) {
                throw new IllegalArgumentException("--topic: none given");
            }
            if (speedup < 0 || Double.isNaN(speedup)) {
                throw new IllegalArgumentException("--speedup must be positive, got " + speedup);
            }
            if (progressMillis < 0) {
                throw new IllegalArgumentException("--progress-interval-ms must not be negative");
            }
            return new Replay(this);
        }
    }
}
