package dev.parity.jobs.kafka;

import dev.parity.features.engine.DecodedRow;
import dev.parity.features.engine.EventJson;
import dev.parity.features.engine.EventRow;
import dev.parity.features.engine.SpecPlan;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Watches a running streaming job from the outside, as a consumer would: reads the events,
 * predictions, late and dead-letter topics with {@code isolation.level=read_committed}, counts
 * them, detects duplicate predictions, and measures latency from the producer timestamp of a query
 * event (flights: a departure) to the moment its prediction becomes readable (committed). Events
 * are read as the spec's JSON ({@link EventJson}). Used by {@code parity demo} and the streaming
 * benchmark; runs on its own thread until {@link #stop}.
 */
public final class PredictionWatcher implements Runnable {
    private final EventJson json;
    private final int queryKind;
    private final String servers;
    private final String eventsTopic;
    private final String predictionsTopic;
    private final String lateTopic;
    private final String deadLetterTopic;
    private final boolean keepPredictions;
    private final long markerId;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Map<Long, Long> querySent = new HashMap<>();
    private final Set<Long> predicted = new HashSet<>();
    private final Map<Long, String> lines = new HashMap<>();
    private long[] latencies = new long[1 << 16];
    private int latencyCount;
    private volatile long events;
    private volatile long markers;
    private volatile long incomplete;
    private volatile long deadLetters;
    private volatile long late;
    private volatile long duplicates;
    private volatile long predictions;
    private volatile long liveToShow;
    private volatile long showEvery = Long.MAX_VALUE;

    /**
     * @param keepPredictions keep each flight's {@code id,model,version,prediction} line (for a
     *     parity check; costs memory per flight)
     * @param markerId events and predictions with an id at or above this are end-of-replay markers,
     *     counted apart
     */
    public PredictionWatcher(
            SpecPlan plan,
            String servers,
            String eventsTopic,
            String predictionsTopic,
            String lateTopic,
            String deadLetterTopic,
            boolean keepPredictions,
            long markerId) {
        this.json = new EventJson(plan);
        this.queryKind = plan.queryKind().index();
        this.servers = servers;
        this.eventsTopic = eventsTopic;
        this.predictionsTopic = predictionsTopic;
        this.lateTopic = lateTopic;
        this.deadLetterTopic = deadLetterTopic;
        this.keepPredictions = keepPredictions;
        this.markerId = markerId;
    }

    /** Prints up to {@code count} predictions as they arrive, one every {@code every}. */
    public PredictionWatcher showLive(int count, long every) {
        this.liveToShow = count;
        this.showEvery = every;
        return this;
    }

    public void stop() {
        running.set(false);
    }

    public long events() {
        return events;
    }

    public long markers() {
        return markers;
    }

    public long predictions() {
        return predictions;
    }

    public long duplicates() {
        return duplicates;
    }

    public long late() {
        return late;
    }

    /** Flights the job reported without a prediction (their departure was late). */
    public long incomplete() {
        return incomplete;
    }

    public long deadLetters() {
        return deadLetters;
    }

    /** Streamed prediction lines by flight id; read after the watcher's thread ended. */
    public Map<Long, String> lines() {
        return lines;
    }

    /** Sorted latencies in milliseconds; read after the watcher's thread ended. */
    public long[] latenciesMillis() {
        long[] l = Arrays.copyOf(latencies, latencyCount);
        Arrays.sort(l);
        return l;
    }

    /** The {@code q} quantile (0-1) of sorted values. */
    public static long quantile(long[] sorted, double q) {
        return sorted[Math.min(sorted.length - 1, (int) (sorted.length * q))];
    }

    @Override
    public void run() {
        Properties p = new Properties();
        p.put("bootstrap.servers", servers);
        p.put("group.id", "parity-watcher-" + System.nanoTime());
        p.put("auto.offset.reset", "earliest");
        p.put("isolation.level", "read_committed");
        p.put("key.deserializer", ByteArrayDeserializer.class.getName());
        p.put("value.deserializer", ByteArrayDeserializer.class.getName());
        long lastReport = System.nanoTime();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
            c.subscribe(List.of(eventsTopic, predictionsTopic, lateTopic, deadLetterTopic));
            while (running.get()) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(100))) {
                    long now = System.currentTimeMillis();
                    if (r.topic().equals(eventsTopic)) {
                        onEvent(r);
                    } else if (r.topic().equals(predictionsTopic)) {
                        onPrediction(r, now);
                    } else if (r.topic().equals(lateTopic)) {
                        // the late topic also names the flights left without a prediction
                        if (new String(r.value(), StandardCharsets.UTF_8)
                                .contains("\"incomplete\":")) {
                            incomplete++;
                        } else {
                            late++;
                        }
                    } else {
                        deadLetters++;
                    }
                }
                if (System.nanoTime() - lastReport > 3_000_000_000L) {
                    lastReport = System.nanoTime();
                    System.out.printf(
                            Locale.ROOT,
                            "[watch] events in %,d, predictions committed %,d%n",
                            events,
                            predictions);
                }
            }
        }
    }

    private void onEvent(ConsumerRecord<byte[], byte[]> r) {
        DecodedRow d = json.decode(r.topic(), r.offset(), r.value());
        if (!d.isValid()) {
            events++; // the job sends it to the dead-letter topic
            return;
        }
        EventRow e = d.events[0];
        if (e.id >= markerId) {
            markers++;
            return;
        }
        events++;
        if (e.kind == queryKind) {
            querySent.put(e.id, r.timestamp());
        }
    }

    private void onPrediction(ConsumerRecord<byte[], byte[]> r, long now) {
        String line = PredictionRecords.csvLine(r.value());
        long id = PredictionRecords.idOf(line);
        if (id >= markerId) {
            return;
        }
        if (!predicted.add(id)) {
            duplicates++;
            return;
        }
        if (keepPredictions) {
            lines.put(id, line);
        }
        Long sent = querySent.remove(id);
        if (sent != null) {
            if (latencyCount == latencies.length) {
                latencies = Arrays.copyOf(latencies, latencies.length * 2);
            }
            latencies[latencyCount++] = now - sent;
        }
        predictions++;
        if (liveToShow > 0 && predictions % showEvery == 1) {
            liveToShow--;
            System.out.println(
                    "       live prediction: " + new String(r.value(), StandardCharsets.UTF_8));
        }
    }
}
