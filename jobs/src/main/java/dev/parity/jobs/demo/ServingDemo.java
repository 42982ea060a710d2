package dev.parity.jobs.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parity.features.engine.EventJson;
import dev.parity.features.engine.EventRow;
import dev.parity.features.engine.SpecPlan;
import dev.parity.jobs.batch.BatchCostCommand;
import dev.parity.jobs.batch.BatchPredict;
import dev.parity.jobs.batch.BatchPredictionRows;
import dev.parity.jobs.batch.JdbcTarget;
import dev.parity.jobs.kafka.EmbeddedKafka;
import dev.parity.jobs.kafka.PredictionRecords;
import dev.parity.jobs.online.Online;
import dev.parity.models.LinearBaseline;
import dev.parity.models.ModelContract;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The demo's second half: the other two prediction modes of docs/ARCHITECTURE.md on the same
 * events, against an embedded PostgreSQL. Batch prediction writes every query event's prediction
 * and the daily snapshots (checked against the backfill); the online job answers requests (a seeded
 * sample of the query events) from those snapshots with a linear model fitted on the spec's online
 * inputs; {@code batch-cost} then reports how many precomputed predictions nobody asked for.
 */
final class ServingDemo {
    private static final ObjectMapper JSON = new ObjectMapper();

    static final int REQUESTS = 2_000;

    private ServingDemo() {}

    /** What the streaming half leaves for this one. */
    record Setup(
            SpecPlan plan,
            Path spec,
            String events,
            String batchModel,
            String topics,
            Path backfill,
            DemoInput data) {}

    /** Runs steps 5 and 6; true when every check held. */
    static boolean run(EmbeddedKafka kafka, Setup setup, Map<Long, String> expected)
            throws Exception {
        System.out.println();
        System.out.println(
                "[demo] 5/6 batch prediction: every query event and the daily snapshots into an"
                        + " embedded PostgreSQL");
        try (EmbeddedPostgres postgres = EmbeddedPostgres.start()) {
            JdbcTarget db = JdbcTarget.of(postgres.getJdbcUrl("postgres", "postgres"), null, null);
            BatchPredict.builder(setup.plan())
                    .specLabel(setup.spec() == null ? null : setup.spec().toString())
                    .events(List.of(setup.events()))
                    .model(setup.batchModel())
                    .database(db)
                    .progressInterval(Duration.ZERO)
                    .build()
                    .run();
            long identical = 0;
            try (Connection c = postgres.getPostgresDatabase().getConnection()) {
                for (String line : BatchPredictionRows.lines(c)) {
                    if (line.equals(expected.get(PredictionRecords.idOf(line)))) {
                        identical++;
                    }
                }
            }
            System.out.printf(
                    Locale.ROOT,
                    "  batch parity: %d/%d rows of batch_predictions identical to the backfill%n",
                    identical,
                    expected.size());

            SpecPlan plan = setup.plan();
            ModelContract online = ModelContract.online(plan);
            List<EventRow> requests = setup.data().requests;
            System.out.println();
            if (online.inputColumns().isEmpty()) {
                System.out.println(
                        "[demo] 6/6 online prediction: skipped, spec "
                                + plan.name()
                                + " has no numeric context column and no daily feature to serve");
                return identical == expected.size();
            }
            System.out.printf(
                    Locale.ROOT,
                    "[demo] 6/6 online prediction: %,d requests (a seeded sample of the query"
                            + " events), answered from the snapshots of their days%n",
                    requests.size());
            Path features = setup.backfill().resolve("features.csv");
            String label = plan.labelColumn().orElse(null);
            if (label == null) {
                System.out.println("  skipped: the spec has no label to fit an online model on");
                return identical == expected.size();
            }
            String onlineModel =
                    LinearBaseline.register(
                            LinearBaseline.fit(features, online, label),
                            online,
                            setup.backfill().resolveSibling("online-registry").toString(),
                            setup.topics().replace('.', '-') + "-online-linear",
                            "1",
                            features.getFileName().toString());
            System.out.println(
                    "  model: least squares on the spec's online inputs "
                            + online.inputColumns()
                            + " -> "
                            + onlineModel);
            Path log = setup.backfill().resolveSibling("requests.csv");
            try (BufferedWriter w = Files.newBufferedWriter(log, StandardCharsets.UTF_8)) {
                w.write("id\n");
                for (EventRow r : requests) {
                    w.write(r.id + "\n");
                }
            }
            String requestsTopic = setup.topics() + ".requests";
            String responsesTopic = setup.topics() + ".responses";
            kafka.createTopic(requestsTopic, 1);
            kafka.createTopic(responsesTopic, 1);
            send(kafka, requestsTopic, new EventJson(plan), requests);
            Online.builder(plan)
                    .bootstrapServers(kafka.bootstrapServers())
                    .requestsTopic(requestsTopic)
                    .responsesTopic(responsesTopic)
                    .model(onlineModel)
                    .database(db)
                    .bounded(true)
                    .build()
                    .run();
            long answered = 0;
            long errors = 0;
            String firstError = null;
            Set<Long> answeredIds = new HashSet<>();
            List<ConsumerRecord<byte[], byte[]>> responses =
                    kafka.readCommitted(responsesTopic, requests.size());
            for (ConsumerRecord<byte[], byte[]> r : responses) {
                JsonNode n = JSON.readTree(r.value());
                answeredIds.add(n.path("request_id").asLong(-1));
                if (n.has("error")) {
                    errors++;
                    firstError = firstError == null ? n.toString() : firstError;
                } else {
                    answered++;
                    if (answered <= 3) {
                        System.out.println("  response: " + n);
                    }
                }
            }
            if (firstError != null) {
                System.out.println("  error response: " + firstError);
            }
            System.out.printf(
                    Locale.ROOT,
                    "  online: %,d requests, %,d predictions, %,d explicit error responses,"
                            + " %,d responses in all, for %,d distinct requests%n",
                    requests.size(),
                    answered,
                    errors,
                    responses.size(),
                    answeredIds.size());

            System.out.println();
            System.out.println(
                    "  the cost of batch prediction, from the online request log (" + log + "):");
            int exit = BatchCostCommand.report(log, db, System.out);
            return exit == 0
                    && identical == expected.size()
                    && responses.size() == requests.size()
                    && answeredIds.size() == requests.size()
                    && requests.stream().allMatch(r -> answeredIds.contains(r.id));
        }
    }

    private static void send(
            EmbeddedKafka kafka, String topic, EventJson json, List<EventRow> requests)
            throws Exception {
        Properties p = new Properties();
        p.put("bootstrap.servers", kafka.bootstrapServers());
        p.put("key.serializer", ByteArraySerializer.class.getName());
        p.put("value.serializer", ByteArraySerializer.class.getName());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            for (EventRow r : requests) {
                producer.send(new ProducerRecord<>(topic, json.encode(r)));
            }
            producer.flush();
        }
    }
}
