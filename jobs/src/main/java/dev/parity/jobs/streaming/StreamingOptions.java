package dev.parity.jobs.streaming;

import static org.apache.flink.configuration.ConfigOptions.key;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.configuration.description.TextElement;

/**
 * The streaming job's typed options. They are read from the same {@link ReadableConfig} as Flink's
 * own: {@code config.yaml} (a cluster's, or {@code parity stream --conf-dir}), then {@code -D
 * key=value} / {@code --key value} arguments. Flink's keys (checkpointing, state backend, restart
 * strategy) keep their Flink names and are not repeated here.
 */
public final class StreamingOptions {
    private StreamingOptions() {}

    public static final ConfigOption<String> BOOTSTRAP_SERVERS =
            key("parity.kafka.bootstrap-servers")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("Kafka bootstrap servers (host:port,...). Required.");

    public static final ConfigOption<String> CLIENT_PROPERTIES_FILE =
            key("parity.kafka.client-properties-file")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "A Java properties file passed to every Kafka source and sink (security.protocol,"
                                    + " sasl.*, ssl.*, ...). Secrets stay in the file (or a mounted"
                                    + " Kubernetes Secret) and are never logged.");

    public static final ConfigOption<String> GROUP_ID =
            key("parity.kafka.group-id")
                    .stringType()
                    .defaultValue("parity-streaming")
                    .withDescription("Consumer group of the events source.");

    public static final ConfigOption<String> STARTING_OFFSETS =
            key("parity.kafka.starting-offsets")
                    .stringType()
                    .defaultValue("committed")
                    .withDescription(
                            "Where a job without a checkpoint starts: 'committed' (the group's"
                                    + " offsets, else the earliest), 'earliest' or 'latest'. A"
                                    + " restored job always resumes from its checkpoint.");

    public static final ConfigOption<String> TRANSACTIONAL_ID_PREFIX =
            key("parity.kafka.transactional-id-prefix")
                    .stringType()
                    .defaultValue("parity-streaming")
                    .withDescription(
                            "Prefix of the sinks' transactional ids; unique per job on a cluster.");

    public static final ConfigOption<Duration> TRANSACTION_TIMEOUT =
            key("parity.kafka.transaction-timeout")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(10))
                    .withDescription(
                            "Kafka transaction timeout of the exactly-once sinks: above the checkpoint"
                                    + " interval plus restart time, below the broker's"
                                    + " transaction.max.timeout.ms (15 min by default).");

    public static final ConfigOption<String> EVENTS_TOPIC =
            key("parity.topics.events").stringType().defaultValue("flights.events");

    public static final ConfigOption<String> PREDICTIONS_TOPIC =
            key("parity.topics.predictions")
                    .stringType()
                    .defaultValue("flights.predictions")
                    .withDescription(
                            "Exactly-once output; consumers must read with"
                                    + " isolation.level=read_committed.");

    public static final ConfigOption<String> DEADLETTER_TOPIC =
            key("parity.topics.deadletter").stringType().defaultValue("flights.deadletter");

    public static final ConfigOption<String> LATE_TOPIC =
            key("parity.topics.late").stringType().defaultValue("flights.late");

    public static final ConfigOption<String> CONTROL_TOPIC =
            key("parity.topics.control")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Model announcements ({\"modelDir\": ..., \"shadow\": false}). When"
                                    + " set, the job swaps models at run time; unset, it serves"
                                    + " parity.model.dir only.");

    public static final ConfigOption<String> SPEC =
            key("parity.spec")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Feature spec (YAML) of the events; read where the job is built (the"
                                    + " client). Unset: the bundled flights spec.");

    public static final ConfigOption<String> MODEL_DIR =
            key("parity.model.dir")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Model directory <registry>/<name>/<version> on any Flink file system."
                                    + " Required.");

    public static final ConfigOption<Long> MAX_MODEL_BYTES =
            key("parity.model.max-bytes")
                    .longType()
                    .defaultValue(256L << 20)
                    .withDescription("Size limit of the bad-model gate.");

    public static final ConfigOption<Integer> MAX_BATCH =
            key("parity.scoring.max-batch")
                    .intType()
                    .defaultValue(256)
                    .withDescription("Scoring micro-batch size.");

    public static final ConfigOption<Duration> MAX_WAIT =
            key("parity.scoring.max-wait")
                    .durationType()
                    .defaultValue(Duration.ofMillis(5))
                    .withDescription("Longest a record waits for its micro-batch to fill.");

    public static final ConfigOption<Integer> INTRA_OP_THREADS =
            key("parity.scoring.intra-op-threads")
                    .intType()
                    .defaultValue(1)
                    .withDescription("ONNX Runtime threads per scoring subtask.");

    public static final ConfigOption<Duration> OUT_OF_ORDERNESS =
            key("parity.events.out-of-orderness")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(5))
                    .withDescription(
                            "Bounded out-of-orderness of event time; later events go to the late"
                                    + " topic.");

    public static final ConfigOption<Duration> IDLENESS =
            key("parity.events.idleness")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(30))
                    .withDescription(
                            "A Kafka partition without events this long stops holding back the"
                                    + " watermark, so predictions go on while it is silent; its"
                                    + " events behind the watermark when it resumes are reported on"
                                    + " the late topic. 0 turns idleness off: a silent partition"
                                    + " then holds every prediction back until it sends again, and"
                                    + " every source subtask needs a partition (parallelism at"
                                    + " most the partition count: the Kafka source does not mark"
                                    + " a subtask without one idle by itself).");

    public static final ConfigOption<Duration> WATERMARK_ALIGNMENT =
            key("parity.events.watermark-alignment")
                    .durationType()
                    .defaultValue(Duration.ZERO)
                    .withDescription(
                            "Flink's source watermark alignment: a partition whose watermark runs"
                                    + " this far ahead of the slowest active one is paused until"
                                    + " the others catch up. 0 (the default) leaves it off; see"
                                    + " docs/BENCHMARKS.md for what it does and does not change.");

    public static final ConfigOption<Boolean> BOUNDED =
            key("parity.events.bounded")
                    .booleanType()
                    .defaultValue(false)
                    .withDescription(
                            "Stop at the end offsets present at start (replays, tests,"
                                    + " benchmarks).");

    public static final ConfigOption<String> JOB_NAME =
            key("parity.job-name").stringType().defaultValue("parity-streaming");

    /** Every option above, in declaration order (for {@code --help} and config checks). */
    public static List<ConfigOption<?>> all() {
        List<ConfigOption<?>> out = new ArrayList<>();
        for (Field f : StreamingOptions.class.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == ConfigOption.class) {
                try {
                    out.add((ConfigOption<?>) f.get(null));
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return Collections.unmodifiableList(out);
    }

    /** One line per option: key, default, description; for {@code parity stream --help}. */
    public static List<String> describe() {
        List<String> lines = new ArrayList<>();
        for (ConfigOption<?> o : all()) {
            StringBuilder s = new StringBuilder("  ").append(o.key());
            s.append(o.hasDefaultValue() ? " (default " + o.defaultValue() + ")" : " (no default)");
            String text = describe(o);
            if (!text.isEmpty()) {
                s.append(": ").append(text);
            }
            lines.add(s.toString());
        }
        return lines;
    }

    private static String describe(ConfigOption<?> o) {
        StringBuilder s = new StringBuilder();
        o.description()
                .getBlocks()
                .forEach(
                        b -> {
                            if (b instanceof TextElement) {
                                s.append(((TextElement) b).getFormat());
                            }
                        });
        return s.toString();
    }

    /** A required option, or an error that names its key. */
    public static <T> T required(ReadableConfig conf, ConfigOption<T> option) {
        return conf.getOptional(option)
                .orElseThrow(
                        () ->
                                new IllegalArgumentException(
                                        "missing required option " + option.key()));
    }

    /**
     * The Kafka client properties of {@link #CLIENT_PROPERTIES_FILE}, empty when unset. Values are
     * never printed: errors name the file only.
     */
    public static Properties clientProperties(ReadableConfig conf) {
        Properties p = new Properties();
        String file = conf.get(CLIENT_PROPERTIES_FILE);
        if (file == null) {
            return p;
        }
        try (InputStream in = Files.newInputStream(Path.of(file))) {
            p.load(in);
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    CLIENT_PROPERTIES_FILE.key() + ": cannot read " + file + ": " + e, e);
        }
        return p;
    }
}
