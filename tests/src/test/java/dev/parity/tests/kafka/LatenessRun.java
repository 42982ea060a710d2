package dev.parity.tests.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parity.features.engine.EngineTypes;
import dev.parity.features.engine.EventRow;
import dev.parity.features.reference.FlightRow;
import dev.parity.features.reference.SampleData;
import dev.parity.features.spec.BundledSpec;
import dev.parity.features.spec.FeatureDef;
import dev.parity.jobs.LocalFlink;
import dev.parity.jobs.kafka.EmbeddedKafka;
import dev.parity.jobs.kafka.PredictionRecords;
import dev.parity.jobs.streaming.StreamingOptions;
import dev.parity.jobs.streaming.StreamingPredictionJob;
import dev.parity.tests.Backfills;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * One streaming run judged against the backfill of the same flights, for the lateness tests: the
 * streaming job on a local Flink reading a real broker, and a verdict on every flight. A committed
 * prediction either equals the backfill's, or differs and is <em>explained</em> (a late record
 * names a window of that feature, entity and departure time as missed), or differs silently; a
 * flight without a prediction must have an incomplete record. The promise is zero silent
 * differences, zero missing flights and zero duplicates for any arrival pattern.
 */
public final class LatenessRun {
    static final Path ROOT = SampleData.path().getParent().getParent().getParent();
    static final String MODEL = ROOT.resolve("models/bundled/flights-linear/1").toString();
    private static final ObjectMapper JSON = new ObjectMapper();

    private LatenessRun() {}

    /** The first {@code n} rows of the bundled sample (a time prefix, original ids). */
    static List<FlightRow> sampleRows(int n) {
        List<FlightRow> rows = SampleData.rows();
        return new ArrayList<>(rows.subList(0, Math.min(n, rows.size())));
    }

    /**
     * Every row's departure and arrival, in event-time order (ties by id, then departure first).
     */
    static List<EventRow> events(List<FlightRow> rows) {
        return FlightEvents.inTimeOrder(rows);
    }

    /** The BATCH backfill's predictions of {@code rows}, by flight id. */
    static Map<Long, String> backfill(Path dir, List<FlightRow> rows) throws IOException {
        Files.createDirectories(dir);
        Path csv = dir.resolve("rows.csv");
        List<String> lines = new ArrayList<>();
        lines.add("id,date,delay,distance,origin,destination");
        for (FlightRow r : rows) {
            lines.add(r.csv());
        }
        Files.write(csv, lines, StandardCharsets.UTF_8);
        Map<Long, String> expected = new HashMap<>();
        for (String line : Backfills.predictions(dir.resolve("backfill"), csv, MODEL)) {
            expected.put(PredictionRecords.idOf(line), line);
        }
        assertThat(expected).hasSize(rows.size());
        return expected;
    }

    static void createTopics(EmbeddedKafka kafka, String prefix, int partitions) throws Exception {
        kafka.createTopic(prefix + ".events", partitions);
        kafka.createTopic(prefix + ".predictions", 2);
        kafka.createTopic(prefix + ".deadletter", 1);
        kafka.createTopic(prefix + ".late", 1);
    }

    static KafkaProducer<byte[], byte[]> producer(EmbeddedKafka kafka) {
        Properties p = new Properties();
        p.put("bootstrap.servers", kafka.bootstrapServers());
        p.put("key.serializer", ByteArraySerializer.class.getName());
        p.put("value.serializer", ByteArraySerializer.class.getName());
        p.put("linger.ms", "0");
        p.put("enable.idempotence", "true");
        return new KafkaProducer<>(p);
    }

    /** Sends {@code e} to {@code partition} and waits until the broker has it. */
    static void send(
            KafkaProducer<byte[], byte[]> producer, String topic, int partition, EventRow e)
            throws Exception {
        FlightEvents.send(producer, topic, partition, e).get();
    }

    /**
     * Starts the streaming job, unbounded, at {@code parallelism} with exactly-once output and
     * checkpoints every 500 ms. With {@code failAfter} > 0 an injected exception after that many
     * events makes it restart from its last checkpoint once.
     */
    static JobClient startJob(
            EmbeddedKafka kafka, String prefix, Duration idleness, int parallelism, long failAfter)
            throws Exception {
        return startJob(kafka, prefix, idleness, Duration.ZERO, parallelism, failAfter);
    }

    /** As above, with source watermark alignment at {@code alignment} drift (zero: off). */
    static JobClient startJob(
            EmbeddedKafka kafka,
            String prefix,
            Duration idleness,
            Duration alignment,
            int parallelism,
            long failAfter)
            throws Exception {
        Configuration conf = LocalFlink.configuration(RuntimeExecutionMode.STREAMING, true);
        onTopics(conf, kafka, prefix);
        conf.set(StreamingOptions.STARTING_OFFSETS, "earliest");
        conf.set(StreamingOptions.IDLENESS, idleness);
        conf.set(StreamingOptions.WATERMARK_ALIGNMENT, alignment);
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofMillis(500));
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 5);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(200));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(conf);
        env.setParallelism(parallelism);
        FailOnce.arm(failAfter);
        StreamingPredictionJob.fromConfig(conf)
                .build(
                        env,
                        events ->
                                failAfter <= 0
                                        ? events
                                        : events.map(new FailOnce())
                                                .returns(EngineTypes.EVENT)
                                                .name("fail-once")
                                                .uid("fail-once"));
        return env.executeAsync(prefix);
    }

    /**
     * Points a streaming job at the broker and the topics {@code <prefix>.events|predictions|
     * deadletter|late}, with its own consumer group and transactional ids, serving the bundled
     * model.
     */
    static void onTopics(Configuration conf, EmbeddedKafka kafka, String prefix) {
        conf.set(StreamingOptions.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
        conf.set(StreamingOptions.MODEL_DIR, MODEL);
        conf.set(StreamingOptions.EVENTS_TOPIC, prefix + ".events");
        conf.set(StreamingOptions.PREDICTIONS_TOPIC, prefix + ".predictions");
        conf.set(StreamingOptions.DEADLETTER_TOPIC, prefix + ".deadletter");
        conf.set(StreamingOptions.LATE_TOPIC, prefix + ".late");
        conf.set(StreamingOptions.GROUP_ID, prefix);
        conf.set(StreamingOptions.TRANSACTIONAL_ID_PREFIX, prefix);
        conf.set(StreamingOptions.TRANSACTION_TIMEOUT, Duration.ofMinutes(2));
    }

    /** Throws once, after {@code failAfter} events in total; static: the job runs in this JVM. */
    static final class FailOnce implements MapFunction<EventRow, EventRow> {
        static final AtomicLong seen = new AtomicLong();
        static final AtomicBoolean failed = new AtomicBoolean();
        static volatile long failAfter;

        static void arm(long after) {
            seen.set(0);
            failed.set(false);
            failAfter = after;
        }

        @Override
        public EventRow map(EventRow e) {
            if (failAfter > 0
                    && seen.incrementAndGet() >= failAfter
                    && failed.compareAndSet(false, true)) {
                throw new RuntimeException("injected failure after " + failAfter + " events");
            }
            return e;
        }
    }

    /** What the late topic says: the late events and the flights left without a prediction. */
    static final class LateRecords {
        final List<JsonNode> events = new ArrayList<>();
        final Set<Long> incomplete = new HashSet<>();
        final Set<Long> noPrediction = new HashSet<>();

        static LateRecords read(EmbeddedKafka kafka, String topic) throws IOException {
            LateRecords l = new LateRecords();
            for (ConsumerRecord<byte[], byte[]> r : kafka.readAllCommitted(topic)) {
                JsonNode n = JSON.readTree(r.value());
                if (n.has("incomplete")) {
                    l.incomplete.add(n.get("incomplete").asLong());
                } else {
                    l.events.add(n);
                    if ("none".equals(n.path("prediction").asText())) {
                        l.noPrediction.add(n.path("event").path("id").asLong());
                    }
                }
            }
            return l;
        }

        /** Whether a late record names {@code flight}'s answer of some feature as missed. */
        boolean explains(FlightRow flight) {
            for (JsonNode late : events) {
                for (JsonNode m : late.path("missed")) {
                    FeatureDef f = feature(m.get("feature").asText());
                    long from = Instant.parse(m.get("from").asText()).toEpochMilli();
                    long until = Instant.parse(m.get("until").asText()).toEpochMilli();
                    if (keyOf(f, flight).equals(m.get("key").asText())
                            && flight.depTime >= from
                            && flight.depTime < until) {
                        return true;
                    }
                }
            }
            return false;
        }

        /** The late record's form of a flight's key: its key fields' values joined by '|'. */
        private static String keyOf(FeatureDef f, FlightRow flight) {
            StringBuilder key = new StringBuilder();
            for (String field : f.key()) {
                key.append(key.length() == 0 ? "" : "|")
                        .append(field.equals("origin") ? flight.origin : flight.dest);
            }
            return key.toString();
        }

        private static FeatureDef feature(String name) {
            for (FeatureDef f : BundledSpec.flights().features()) {
                if (f.name().equals(name)) {
                    return f;
                }
            }
            throw new IllegalStateException("a late record names an unknown feature " + name);
        }
    }

    /** The verdict on every flight of one run. */
    public static final class Verdict {
        public int identical;
        public int explained;
        public int silent;
        public int incomplete;
        public int missing;
        public int duplicates;
        public int lateEvents;
        public final List<String> silentExamples = new ArrayList<>();
        public final List<Long> missingExamples = new ArrayList<>();

        static Verdict of(
                List<FlightRow> rows,
                Map<Long, String> expected,
                EmbeddedKafka kafka,
                String prefix)
                throws IOException {
            Verdict v = new Verdict();
            Map<Long, String> streamed = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> r :
                    kafka.readAllCommitted(prefix + ".predictions")) {
                String line = PredictionRecords.csvLine(r.value());
                long id = PredictionRecords.idOf(line);
                if (id >= PredictionRecords.MARKER_ID) {
                    continue;
                }
                if (streamed.put(id, line) != null) {
                    v.duplicates++;
                }
            }
            LateRecords late = LateRecords.read(kafka, prefix + ".late");
            v.lateEvents = late.events.size();
            for (FlightRow f : rows) {
                String got = streamed.get(f.id);
                if (got == null) {
                    if (late.incomplete.contains(f.id) && late.noPrediction.contains(f.id)) {
                        v.incomplete++;
                    } else {
                        v.missing++;
                        v.missingExamples.add(f.id);
                    }
                } else if (got.equals(expected.get(f.id))) {
                    v.identical++;
                } else if (late.explains(f)) {
                    v.explained++;
                } else {
                    v.silent++;
                    if (v.silentExamples.size() < 5) {
                        v.silentExamples.add(
                                "flight "
                                        + f.id
                                        + ": streamed "
                                        + got
                                        + ", backfill "
                                        + expected.get(f.id));
                    }
                }
            }
            return v;
        }

        int accounted() {
            return identical + explained + silent + incomplete;
        }

        @Override
        public String toString() {
            return String.format(
                    java.util.Locale.ROOT,
                    "identical %d, explained %d, silent %d, incomplete %d, missing %d, duplicates %d,"
                            + " late events %d",
                    identical,
                    explained,
                    silent,
                    incomplete,
                    missing,
                    duplicates,
                    lateEvents);
        }
    }

    /**
     * Committed predictions plus incomplete records: how many flights the job has answered for so
     * far.
     */
    static long answered(EmbeddedKafka kafka, String prefix) throws IOException {
        return kafka.countAllCommitted(prefix + ".predictions")
                + LateRecords.read(kafka, prefix + ".late").incomplete.size();
    }
}
