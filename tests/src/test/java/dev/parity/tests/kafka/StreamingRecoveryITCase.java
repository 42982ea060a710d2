package dev.parity.tests.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parity.features.engine.EngineTypes;
import dev.parity.features.engine.EventRow;
import dev.parity.features.reference.SampleData;
import dev.parity.jobs.LocalFlink;
import dev.parity.jobs.ParityCli;
import dev.parity.jobs.kafka.EmbeddedKafka;
import dev.parity.jobs.kafka.PredictionRecords;
import dev.parity.jobs.streaming.StreamingOptions;
import dev.parity.jobs.streaming.StreamingPredictionJob;
import dev.parity.tests.Backfills;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.util.TestStreamEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exactly-once under failures, with the real broker and the real job graph on a MiniCluster of
 * three single-slot TaskManagers (parallelism 2, so one is spare):
 *
 * <ul>
 *   <li>three injected failures in one run (an exception in an operator after N records, a failure
 *       while a checkpoint is taken, and the loss of a TaskManager), after which the committed
 *       predictions are exactly the backfill's: none lost, none duplicated;
 *   <li>stop with a savepoint midway and resume from it at parallelism 3: still exactly once.
 * </ul>
 *
 * A slow-down stage inserted after decoding keeps the job running long enough for the failures to
 * land mid-stream.
 */
class StreamingRecoveryITCase {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path ROOT = SampleData.path().getParent().getParent().getParent();
    private static final String MODEL = ROOT.resolve("models/bundled/flights-linear/1").toString();

    /** Enough for one partition per source subtask at parallelism 2 and 3. */
    private static final int EVENT_PARTITIONS = 6;

    private static EmbeddedKafka kafka;
    private static List<String> expected;
    private static MiniCluster cluster;

    @TempDir static Path tmp;

    @BeforeAll
    static void setUp() throws Exception {
        kafka = EmbeddedKafka.start();
        expected = Backfills.samplePredictions(tmp.resolve("backfill"), MODEL);
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (kafka != null) {
            kafka.close();
        }
    }

    @AfterEach
    void stopCluster() throws Exception {
        TestStreamEnvironment.unsetAsContext();
        if (cluster != null) {
            cluster.close();
            cluster = null;
        }
    }

    private static void startCluster(int taskManagers) throws Exception {
        Configuration conf = new Configuration();
        conf.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.parse("128m"));
        conf.set(TaskManagerOptions.NETWORK_MEMORY_MIN, MemorySize.parse("32m"));
        conf.set(TaskManagerOptions.NETWORK_MEMORY_MAX, MemorySize.parse("32m"));
        cluster =
                new MiniCluster(
                        new MiniClusterConfiguration.Builder()
                                .setConfiguration(conf)
                                .setNumTaskManagers(taskManagers)
                                .setNumSlotsPerTaskManager(1)
                                .build());
        cluster.start();
    }

    /** The job's configuration for topics with this prefix. */
    private static Configuration jobConf(String prefix, boolean bounded) {
        Configuration conf = LocalFlink.configuration(RuntimeExecutionMode.STREAMING, false);
        LatenessRun.onTopics(conf, kafka, prefix);
        // Idleness off: every subtask has a partition (the topics have 6, for parallelism 2 and
        // 3), so nothing needs it, and with it a subtask that starts consuming later than the
        // timeout after a restart would see its events reported late instead of predicted.
        conf.set(StreamingOptions.IDLENESS, Duration.ZERO);
        conf.set(StreamingOptions.BOUNDED, bounded);
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofMillis(500));
        // Checkpoints and savepoints on files, as in production: the JobManager's memory storage
        // caps a state handle at 5 MB, which the feature groups' state mid-sample can exceed.
        conf.set(
                CheckpointingOptions.CHECKPOINTS_DIRECTORY,
                tmp.resolve("checkpoints-" + prefix).toUri().toString());
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 10);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(200));
        return conf;
    }

    private static JobClient submit(Configuration conf, int parallelism) throws Exception {
        TestStreamEnvironment.setAsContext(cluster, parallelism);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.configure(conf);
        env.setParallelism(parallelism);
        StreamingPredictionJob.fromConfig(conf)
                .build(
                        env,
                        events ->
                                events.map(new Faults())
                                        .returns(EngineTypes.EVENT)
                                        .name("faults")
                                        .uid("faults"));
        return env.executeAsync(conf.get(StreamingOptions.JOB_NAME));
    }

    private static void createTopics(String prefix) throws Exception {
        kafka.createTopic(prefix + ".events", EVENT_PARTITIONS);
        kafka.createTopic(prefix + ".predictions", 2);
        kafka.createTopic(prefix + ".deadletter", 1);
        kafka.createTopic(prefix + ".late", 1);
        assertThat(
                        ParityCli.execute(
                                "replay",
                                "--events",
                                SampleData.path().toString(),
                                "--bootstrap-servers",
                                kafka.bootstrapServers(),
                                "--topic",
                                prefix + ".events",
                                "--progress-interval-ms",
                                "0"))
                .isZero();
    }

    @Test
    void threeFailuresInOneRunLoseAndDuplicateNothing() throws Exception {
        createTopics("recovery");
        startCluster(3);
        Faults.reset(8_000, 30_000, 55_000, () -> cluster.terminateTaskManager(0).join());

        JobClient job = submit(jobConf("recovery", true), 2);
        job.getJobExecutionResult().get(5, TimeUnit.MINUTES);

        assertThat(Faults.exceptionThrown).as("exception after N records").isTrue();
        assertThat(Faults.checkpointFailed).as("failure while checkpointing").isTrue();
        assertThat(Faults.taskManagerKilled).as("TaskManager lost").isTrue();
        assertThat(Faults.attempts.get()).as("task attempts that opened").isGreaterThan(2);
        assertExactlyOnce("recovery.predictions");
    }

    @Test
    void savepointAndRescaleKeepExactlyOnce() throws Exception {
        createTopics("rescale");
        appendTail("rescale.events");
        startCluster(3);
        Faults.reset(Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE, () -> {});

        JobClient first = submit(jobConf("rescale", false), 2);
        CommittedRecords.awaitAtLeast(kafka, "rescale.predictions", 5_000, Duration.ofMinutes(3));
        String savepoint =
                first.stopWithSavepoint(
                                false,
                                tmp.resolve("savepoints").toUri().toString(),
                                SavepointFormatType.CANONICAL)
                        .get(2, TimeUnit.MINUTES);
        long beforeStop = kafka.countAllCommitted("rescale.predictions");
        assertThat(beforeStop).as("the first run stopped midway").isLessThan(expected.size());

        Configuration resumed = jobConf("rescale", false);
        resumed.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
        JobClient second = submit(resumed, 3);
        CommittedRecords.awaitAtLeast(
                kafka, "rescale.predictions", expected.size(), Duration.ofMinutes(6));
        // let any duplicate land before cancelling
        CommittedRecords.awaitQuiet(kafka, "rescale.predictions", Duration.ofSeconds(3));
        second.cancel().get(1, TimeUnit.MINUTES);
        assertExactlyOnce("rescale.predictions");
    }

    /**
     * End-of-replay markers a week after the sample ends, so that the watermark of an unbounded run
     * passes every sample flight (their predictions are due) without a bounded end.
     */
    private static void appendTail(String topic) throws Exception {
        PredictionRecords.sendEndMarkers(
                kafka.bootstrapServers(),
                topic,
                EVENT_PARTITIONS,
                Instant.parse("2001-01-10T00:00:00Z"));
    }

    /** Every sample flight exactly once, equal to the backfill; nothing else but the tail. */
    private static void assertExactlyOnce(String topic) throws Exception {
        Map<Long, Integer> seen = new HashMap<>();
        List<String> streamed = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : kafka.readAllCommitted(topic)) {
            String line = PredictionRecords.csvLine(r.value());
            long id = PredictionRecords.idOf(line);
            if (id >= PredictionRecords.MARKER_ID) {
                continue; // end-of-replay markers
            }
            seen.merge(id, 1, Integer::sum);
            streamed.add(line);
        }
        List<Long> duplicated = new ArrayList<>();
        seen.forEach(
                (id, count) -> {
                    if (count > 1) {
                        duplicated.add(id);
                    }
                });
        assertThat(duplicated).as("flights predicted more than once").isEmpty();
        streamed.sort(java.util.Comparator.comparingLong(PredictionRecords::idOf));
        List<String> missing = new ArrayList<>(expected);
        missing.removeAll(streamed);
        List<String> unexpected = new ArrayList<>(streamed);
        unexpected.removeAll(expected);
        assertThat(missing.subList(0, Math.min(5, missing.size())))
                .as("%d expected predictions missing or different", missing.size())
                .isEmpty();
        assertThat(unexpected.subList(0, Math.min(5, unexpected.size())))
                .as("%d predictions not expected", unexpected.size())
                .isEmpty();
        assertThat(streamed).isEqualTo(expected);
    }

    /**
     * Slows the stream down (1 ms per 5 records per subtask) and injects, once each and in this
     * order as the total count of records passes the thresholds: an exception, a failing
     * checkpoint, and a TaskManager loss. State is static because the MiniCluster runs in this JVM
     * and must survive the restarts.
     */
    static final class Faults extends RichMapFunction<EventRow, EventRow>
            implements CheckpointedFunction {
        static final AtomicLong records = new AtomicLong();
        static final AtomicLong attempts = new AtomicLong();
        static volatile long throwAt;
        static volatile long failCheckpointAfter;
        static volatile long killAt;
        static volatile Runnable killTaskManager;
        static final AtomicBoolean exceptionThrown = new AtomicBoolean();
        static final AtomicBoolean checkpointFailed = new AtomicBoolean();
        static final AtomicBoolean taskManagerKilled = new AtomicBoolean();

        static void reset(long throwAt, long failCheckpointAfter, long killAt, Runnable kill) {
            records.set(0);
            attempts.set(0);
            Faults.throwAt = throwAt;
            Faults.failCheckpointAfter = failCheckpointAfter;
            Faults.killAt = killAt;
            Faults.killTaskManager = kill;
            exceptionThrown.set(false);
            checkpointFailed.set(false);
            taskManagerKilled.set(false);
        }

        private long local;

        @Override
        public void open(org.apache.flink.api.common.functions.OpenContext ctx) {
            attempts.incrementAndGet();
        }

        @Override
        public EventRow map(EventRow e) throws Exception {
            long n = records.incrementAndGet();
            // A rate limit inside the job, not a wait for a condition: it keeps the stream long
            // enough for the injected faults to land while it runs (faults fire on counts).
            if (++local % 5 == 0) {
                Thread.sleep(1);
            }
            if (n >= throwAt && exceptionThrown.compareAndSet(false, true)) {
                throw new RuntimeException("injected failure after " + n + " records");
            }
            if (n >= killAt
                    && checkpointFailed.get()
                    && taskManagerKilled.compareAndSet(false, true)) {
                // from another thread: the TaskManager may be the one running this task
                CompletableFuture.runAsync(killTaskManager);
            }
            return e;
        }

        @Override
        public void snapshotState(FunctionSnapshotContext context) {
            if (records.get() >= failCheckpointAfter
                    && exceptionThrown.get()
                    && checkpointFailed.compareAndSet(false, true)) {
                throw new RuntimeException(
                        "injected failure in checkpoint " + context.getCheckpointId());
            }
        }

        @Override
        public void initializeState(FunctionInitializationContext context) {}
    }
}
