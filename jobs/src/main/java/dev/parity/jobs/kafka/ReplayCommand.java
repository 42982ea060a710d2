package dev.parity.jobs.kafka;

import dev.parity.features.engine.EventJson;
import dev.parity.features.engine.EventRow;
import dev.parity.features.engine.SpecFileInput;
import dev.parity.features.engine.SpecPlan;
import dev.parity.features.events.FlightEvent;
import dev.parity.features.flink.FlightFileInput;
import dev.parity.features.io.RowResult;
import dev.parity.features.spec.FeatureSpec;
import dev.parity.jobs.backfill.BackfillJob;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.PriorityQueue;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code parity replay}: writes a flights file to Kafka as departure and arrival events, in event
 * time order, as JSON keyed by flight id, with an idempotent producer. The rows are expanded by the
 * same {@code EventExpansion} the backfill uses.
 */
@Command(
        name = "replay",
        mixinStandardHelpOptions = true,
        description = {
            "Replays a flights file (Parquet, or CSV with header id,date,delay,distance,origin,destination)"
                    + " into Kafka as JSON departure and arrival events in event-time order, keyed"
                    + " by flight id, with an idempotent producer (acks=all)."
        })
public final class ReplayCommand implements Callable<Integer> {
    @Option(
            names = "--events",
            required = true,
            paramLabel = "[KIND=]FILE",
            description = {
                "Input file, sorted by date.",
                "With --spec: a CSV or Parquet file of the spec's source rows, of its one kind, or"
                        + " of the kind named before '='; sorted by time."
            })
    String eventsArg;

    @Option(
            names = "--spec",
            paramLabel = "FILE",
            description =
                    "Feature spec whose events the file holds: they are written as the spec's"
                            + " JSON (a 'kind' member and the kind's fields) for stream --spec.")
    Path spec;

    Path events;

    @Option(
            names = "--bootstrap-servers",
            required = true,
            paramLabel = "HOST:PORT",
            description = "Kafka bootstrap servers.")
    String bootstrapServers;

    @Option(
            names = "--topic",
            defaultValue = "flights.events",
            description = "Topic. Default: ${DEFAULT-VALUE}.")
    String topic;

    @ArgGroup(exclusive = true)
    Pace pace;

    static final class Pace {
        @Option(
                names = "--speedup",
                paramLabel = "N",
                description =
                        "Replay N times faster than event time (e.g. 3600: one hour per second).")
        double speedup;

        @Option(names = "--as-fast-as-possible", description = "No pacing (the default).")
        boolean asFastAsPossible;
    }

    @Option(
            names = "--progress-interval-ms",
            defaultValue = "2000",
            description = "Progress output period; 0 turns it off. Default: ${DEFAULT-VALUE}.")
    long progressMillis;

    @Override
    public Integer call() throws Exception {
        if (spec != null) {
            return replaySpec();
        }
        events = Path.of(eventsArg);
        if (!Files.isReadable(events)) {
            throw new IllegalArgumentException("--events: cannot read '" + events + "'");
        }
        double speedup = pace == null || pace.asFastAsPossible ? 0 : pace.speedup;
        if (pace != null && !pace.asFastAsPossible && speedup <= 0) {
            throw new IllegalArgumentException("--speedup must be positive, got " + speedup);
        }
        Properties props = producerProperties();

        AtomicReference<Exception> failure = new AtomicReference<>();
        AtomicLong acked = new AtomicLong();
        long[] sent = {0};
        long[] invalid = {0};
        List<String> firstProblems = new ArrayList<>();
        long start = System.nanoTime();
        long[] lastProgress = {start};
        long[] firstEventTime = {Long.MIN_VALUE};
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
            EventTimeOrder order =
                    new EventTimeOrder(
                            e -> {
                                if (failure.get() != null) {
                                    throw new IllegalStateException(
                                            "Kafka write failed", failure.get());
                                }
                                pace(e, speedup, start, firstEventTime);
                                producer.send(
                                        new ProducerRecord<>(
                                                topic,
                                                Long.toString(e.id)
                                                        .getBytes(StandardCharsets.UTF_8),
                                                FlightEventJson.encode(e)),
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
                                    System.err.printf(
                                            Locale.ROOT,
                                            "[replay] %,d events sent, %,d acknowledged, %,.0f events/s%n",
                                            sent[0],
                                            acked.get(),
                                            sent[0] / ((now - start) / 1e9));
                                }
                            });
            forEachRow(
                    r -> {
                        if (r.isValid()) {
                            order.add(r.row);
                        } else {
                            invalid[0]++;
                            if (firstProblems.size() < 5) {
                                firstProblems.add(r.source + ":" + r.line + ": " + r.reason);
                            }
                        }
                    });
            order.finish();
            producer.flush();
            if (failure.get() != null) {
                throw new IllegalStateException("Kafka write failed", failure.get());
            }
            double secs = (System.nanoTime() - start) / 1e9;
            System.out.printf(
                    Locale.ROOT,
                    "replay: %,d events to %s in %.1f s (%,.0f events/s), %,d acknowledged;"
                            + " %,d invalid rows skipped; %,d rows out of date order%n",
                    sent[0],
                    topic,
                    secs,
                    sent[0] / secs,
                    acked.get(),
                    invalid[0],
                    order.outOfOrderRows());
            firstProblems.forEach(p -> System.out.println("  invalid: " + p));
        }
        return 0;
    }

    /**
     * The spec's events, in event-time order: a row's events wait in a queue until no later row can
     * come before them (rows are sorted by time, a row's events are never earlier than the row), so
     * the queue holds only events still ahead of the current row.
     */
    private int replaySpec() throws Exception {
        SpecPlan plan = SpecPlan.of(FeatureSpec.load(spec));
        BackfillJob.Input input = BackfillJob.inputs(plan, java.util.List.of(eventsArg)).get(0);
        BackfillJob.checkInput(eventsArg, input);
        double speedup = pace == null || pace.asFastAsPossible ? 0 : pace.speedup;
        EventJson json = new EventJson(plan);
        AtomicReference<Exception> failure = new AtomicReference<>();
        AtomicLong acked = new AtomicLong();
        long[] sent = {0};
        long[] invalid = {0};
        long[] firstEventTime = {Long.MIN_VALUE};
        List<String> firstProblems = new ArrayList<>();
        long start = System.nanoTime();
        PriorityQueue<EventRow> ahead =
                new PriorityQueue<>(
                        Comparator.comparingLong((EventRow e) -> e.time)
                                .thenComparingLong(e -> e.id));
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProperties())) {
            Consumer<EventRow> send =
                    e -> {
                        if (failure.get() != null) {
                            throw new IllegalStateException("Kafka write failed", failure.get());
                        }
                        pace(e.time, speedup, start, firstEventTime);
                        producer.send(
                                new ProducerRecord<>(
                                        topic,
                                        Long.toString(e.id).getBytes(StandardCharsets.UTF_8),
                                        json.encode(e)),
                                (meta, ex) -> {
                                    if (ex != null) {
                                        failure.compareAndSet(null, ex);
                                    } else {
                                        acked.incrementAndGet();
                                    }
                                });
                        sent[0]++;
                    };
            SpecFileInput.forEachRow(
                    input.file(),
                    input.decoder(),
                    r -> {
                        if (!r.isValid()) {
                            invalid[0]++;
                            if (firstProblems.size() < 5) {
                                firstProblems.add(r.source + ":" + r.line + ": " + r.reason);
                            }
                            return true;
                        }
                        long now = r.time();
                        while (!ahead.isEmpty() && ahead.peek().time <= now) {
                            send.accept(ahead.poll());
                        }
                        for (EventRow e : r.events) {
                            ahead.add(e);
                        }
                        return true;
                    });
            while (!ahead.isEmpty()) {
                send.accept(ahead.poll());
            }
            producer.flush();
            if (failure.get() != null) {
                throw new IllegalStateException("Kafka write failed", failure.get());
            }
        }
        double secs = (System.nanoTime() - start) / 1e9;
        System.out.printf(
                Locale.ROOT,
                "replay: spec %s, %,d events to %s in %.1f s, %,d acknowledged; %,d invalid rows"
                        + " skipped%n",
                plan.name(),
                sent[0],
                topic,
                secs,
                acked.get(),
                invalid[0]);
        firstProblems.forEach(p -> System.out.println("  invalid: " + p));
        return 0;
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

    private static void pace(FlightEvent e, double speedup, long start, long[] first) {
        pace(e.time, speedup, start, first);
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

    private interface RowConsumer {
        void accept(RowResult row) throws IOException;
    }

    private void forEachRow(RowConsumer sink) throws IOException {
        FlightFileInput.forEachRow(
                events.toString(),
                r -> {
                    sink.accept(r);
                    return true;
                });
    }
}
