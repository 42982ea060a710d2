package dev.parity.tests.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parity.features.reference.SampleData;
import dev.parity.jobs.ParityCli;
import dev.parity.jobs.kafka.EmbeddedKafka;
import dev.parity.jobs.kafka.PredictionRecords;
import dev.parity.jobs.streaming.StreamingPredictionJob;
import dev.parity.tests.Backfills;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.runtime.client.JobStatusMessage;
import org.apache.flink.runtime.jobgraph.JobType;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.util.TestStreamEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code k8s/backfill-batch.yaml} deploys, run through the same entry point: {@link
 * StreamingPredictionJob#main} with {@code execution.runtime-mode: BATCH} and a bounded events
 * source. It must finish by itself and commit every sample flight's prediction exactly once, equal
 * to the file backfill's.
 */
class StreamingBatchModeITCase {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path ROOT = SampleData.path().getParent().getParent().getParent();
    private static final String MODEL = ROOT.resolve("models/bundled/flights-linear/1").toString();

    @TempDir Path tmp;

    @Test
    void theStreamingJobRunsBoundedInBatchModeAndCommitsEveryPredictionOnce() throws Exception {
        List<String> expected = Backfills.samplePredictions(tmp.resolve("backfill"), MODEL);

        Configuration clusterConf = new Configuration();
        clusterConf.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.parse("128m"));
        clusterConf.set(TaskManagerOptions.NETWORK_MEMORY_MIN, MemorySize.parse("64m"));
        clusterConf.set(TaskManagerOptions.NETWORK_MEMORY_MAX, MemorySize.parse("64m"));
        try (EmbeddedKafka kafka = EmbeddedKafka.start();
                MiniCluster cluster =
                        new MiniCluster(
                                new MiniClusterConfiguration.Builder()
                                        .setConfiguration(clusterConf)
                                        .setNumTaskManagers(1)
                                        .setNumSlotsPerTaskManager(2)
                                        .build())) {
            cluster.start();
            kafka.createTopic("batch.events", 2);
            kafka.createTopic("batch.predictions", 2);
            kafka.createTopic("batch.deadletter", 1);
            kafka.createTopic("batch.late", 1);
            assertThat(
                            ParityCli.execute(
                                    "replay",
                                    "--events",
                                    SampleData.path().toString(),
                                    "--bootstrap-servers",
                                    kafka.bootstrapServers(),
                                    "--topic",
                                    "batch.events",
                                    "--progress-interval-ms",
                                    "0"))
                    .isZero();

            TestStreamEnvironment.setAsContext(cluster, 2);
            try {
                // the arguments of backfill-batch.yaml (there, the runtime mode and the
                // parity.* settings come from flinkConfiguration; main() merges both the same way)
                StreamingPredictionJob.main(
                        new String[] {
                            "--execution.runtime-mode", "BATCH",
                            "--parity.events.bounded", "true",
                            "--parity.kafka.starting-offsets", "earliest",
                            "--parity.kafka.bootstrap-servers", kafka.bootstrapServers(),
                            "--parity.kafka.group-id", "batch",
                            "--parity.kafka.transactional-id-prefix", "batch",
                            "--parity.kafka.transaction-timeout", "2min",
                            "--parity.topics.events", "batch.events",
                            "--parity.topics.predictions", "batch.predictions",
                            "--parity.topics.deadletter", "batch.deadletter",
                            "--parity.topics.late", "batch.late",
                            "--parity.model.dir", MODEL
                        });
            } finally {
                TestStreamEnvironment.unsetAsContext();
            }

            // it really ran in the BATCH runtime (a bounded STREAMING run would also finish)
            List<JobStatusMessage> jobs = new ArrayList<>(cluster.listJobs().get());
            assertThat(jobs).hasSize(1);
            assertThat(jobs.get(0).getJobState()).isEqualTo(JobStatus.FINISHED);
            assertThat(cluster.getArchivedExecutionGraph(jobs.get(0).getJobId()).get().getJobType())
                    .isEqualTo(JobType.BATCH);

            List<String> predicted = new ArrayList<>();
            for (ConsumerRecord<byte[], byte[]> r : kafka.readAllCommitted("batch.predictions")) {
                predicted.add(PredictionRecords.csvLine(r.value()));
            }
            predicted.sort(Comparator.comparingLong(PredictionRecords::idOf));
            assertThat(predicted).hasSameSizeAs(expected);
            assertThat(predicted).isEqualTo(expected);
            // no watermark before the end of a BATCH input: nothing is late
            assertThat(kafka.readAllCommitted("batch.late")).isEmpty();
        }
    }
}
