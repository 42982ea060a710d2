package dev.parity.jobs.kafka;

import dev.parity.features.engine.EventJson;
import dev.parity.features.engine.SpecFileInput;
import dev.parity.features.engine.SpecPlan;
import dev.parity.features.spec.BundledSpec;
import dev.parity.features.spec.FeatureSpec;
import dev.parity.jobs.backfill.BackfillJob;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code parity replay}: writes a file's events to Kafka as the spec's JSON ({@link EventJson}), in
 * event-time order ({@link EventTimeOrder}), keyed by event id, with an idempotent producer. A
 * source row is expanded by the same decoder the backfill uses, so both modes see the same events.
 * Without {@code --spec}, the bundled flights spec: a flights file becomes departure and arrival
 * events.
 */
@Command(
        name = "replay",
        mixinStandardHelpOptions = true,
        description = {
            "Replays a file of a spec's events into Kafka as JSON, in event-time order, keyed by"
                    + " event id, with an idempotent producer (acks=all). Without --spec: a flights"
                    + " file (Parquet, or CSV with header id,date,delay,distance,origin,destination)"
                    + " as departure and arrival events."
        })
public final class ReplayCommand implements Callable<Integer> {
    @Option(
            names = "--events",
            required = true,
            paramLabel = "[KIND=]FILE",
            description = {
                "A CSV or Parquet file of the spec's source rows, of its one kind, or of the kind"
                        + " named before '='; sorted by time."
            })
    String eventsArg;

    @Option(
            names = "--spec",
            paramLabel = "FILE",
            description =
                    "Feature spec whose events the file holds. Default: the bundled flights spec"
                            + " (examples/flights/flights.yaml).")
    Path spec;

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
        SpecPlan plan = SpecPlan.of(spec == null ? BundledSpec.flights() : FeatureSpec.load(spec));
        BackfillJob.Input input = BackfillJob.inputs(plan, List.of(eventsArg)).get(0);
        BackfillJob.checkInput(eventsArg, input);
        double speedup = pace == null || pace.asFastAsPossible ? 0 : pace.speedup;
        if (pace != null && !pace.asFastAsPossible && speedup <= 0) {
            throw new IllegalArgumentException("--speedup must be positive, got " + speedup);
        }
        EventJson json = new EventJson(plan);
        AtomicReference<Exception> failure = new AtomicReference<>();
        AtomicLong acked = new AtomicLong();
        long[] sent = {0};
        long[] invalid = {0};
        long[] firstEventTime = {Long.MIN_VALUE};
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
                                    System.err.printf(
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
        }
        double secs = (System.nanoTime() - start) / 1e9;
        System.out.printf(
                Locale.ROOT,
                "replay: spec %s, %,d events to %s in %.1f s (%,.0f events/s), %,d acknowledged;"
                        + " %,d invalid rows skipped; %,d rows out of time order%n",
                plan.name(),
                sent[0],
                topic,
                secs,
                sent[0] / secs,
                acked.get(),
                invalid[0],
                order.outOfOrderRows());
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
}
