package dev.parity.jobs.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parity.features.engine.SpecPlan;
import dev.parity.features.spec.BundledSpec;
import dev.parity.jobs.ParityCli;
import dev.parity.jobs.batch.BatchPredictionRows;
import dev.parity.jobs.kafka.EmbeddedKafka;
import dev.parity.jobs.kafka.PredictionRecords;
import dev.parity.jobs.online.OnlineRequests;
import dev.parity.models.LinearBaseline;
import dev.parity.models.ModelContract;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The demo's second half: the other two prediction modes of docs/ARCHITECTURE.md on the same
 * sample, against an embedded PostgreSQL. Batch prediction writes every flight's prediction and the
 * daily snapshots (checked against the backfill); the online job answers requests for some flights
 * of the last day from those snapshots with a linear model fitted on the online feature set; {@code
 * batch-cost} then reports how many precomputed predictions nobody asked for.
 */
final class ServingDemo {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The flights requested online: a seeded sample of this day's departures. */
    static final String REQUEST_DAY = "2001-01-03";

    static final int REQUESTS = 2_000;

    private ServingDemo() {}

    /** Runs steps 5 and 6; true when every check held. */
    static boolean run(
            EmbeddedKafka kafka, Path backfill, Map<Long, String> expected, String batchModel)
            throws Exception {
        System.out.println();
        System.out.println(
                "[demo] 5/6 batch prediction: every sample flight and the daily snapshots into an"
                        + " embedded PostgreSQL");
        try (EmbeddedPostgres postgres = EmbeddedPostgres.start()) {
            String url = postgres.getJdbcUrl("postgres", "postgres");
            int exit =
                    ParityCli.execute(
                            "batch-predict",
                            "--events",
                            DemoCommand.SAMPLE,
                            "--model",
                            batchModel,
                            "--jdbc-url",
                            url,
                            "--progress-interval",
                            "PT0S");
            if (exit != 0) {
                return false;
            }
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

            System.out.println();
            System.out.printf(
                    Locale.ROOT,
                    "[demo] 6/6 online prediction: %,d requests for %s flights, answered from the"
                            + " snapshots%n",
                    REQUESTS,
                    REQUEST_DAY);
            Path features = backfill.resolve("features.csv");
            ModelContract online = ModelContract.online(SpecPlan.of(BundledSpec.flights()));
            String onlineModel =
                    LinearBaseline.register(
                            LinearBaseline.fit(features, online, "delay"),
                            online,
                            backfill.resolveSibling("online-registry").toString(),
                            "flights-online-linear",
                            "1",
                            features.getFileName().toString());
            System.out.println(
                    "  model: least squares on the flights spec's online inputs "
                            + online.inputColumns()
                            + " -> "
                            + onlineModel);
            List<Request> requests = requests(features);
            Path log = backfill.resolveSibling("requests.csv");
            try (BufferedWriter w = Files.newBufferedWriter(log, StandardCharsets.UTF_8)) {
                w.write("id\n");
                for (Request r : requests) {
                    w.write(r.id + "\n");
                }
            }
            kafka.createTopic("flights.requests", 1);
            kafka.createTopic("flights.responses", 1);
            send(kafka, requests);
            exit =
                    ParityCli.execute(
                            "online",
                            "--bootstrap-servers",
                            kafka.bootstrapServers(),
                            "--model",
                            onlineModel,
                            "--jdbc-url",
                            url,
                            "--bounded");
            if (exit != 0) {
                return false;
            }
            long answered = 0;
            long errors = 0;
            String firstError = null;
            Set<Long> answeredIds = new HashSet<>();
            List<ConsumerRecord<byte[], byte[]>> responses =
                    kafka.readCommitted("flights.responses", requests.size());
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
                    "  online: %,d requests, %,d predictions, %,d explicit error responses (no"
                            + " snapshot), %,d responses in all, for %,d distinct requests%n",
                    requests.size(),
                    answered,
                    errors,
                    responses.size(),
                    answeredIds.size());

            System.out.println();
            System.out.println(
                    "  the cost of batch prediction, from the online request log (" + log + "):");
            exit = ParityCli.execute("batch-cost", "--requests", log.toString(), "--jdbc-url", url);
            return exit == 0
                    && identical == expected.size()
                    && responses.size() == requests.size()
                    && answeredIds.size() == requests.size()
                    && requests.stream().allMatch(r -> answeredIds.contains(r.id));
        }
    }

    /** An online request for a flight: request id = flight id. */
    private record Request(long id, byte[] json) {}

    /** A seeded sample of {@link #REQUEST_DAY}'s flights as online requests. */
    private static List<Request> requests(Path features) throws Exception {
        List<Request> day = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(features, StandardCharsets.UTF_8)) {
            List<String> h = List.of(in.readLine().split(",", -1));
            String line;
            while ((line = in.readLine()) != null) {
                String[] f = line.split(",", -1);
                String dep = f[h.indexOf("dep_time")];
                if (!dep.startsWith(REQUEST_DAY)) {
                    continue;
                }
                long id = Long.parseLong(f[h.indexOf("id")]);
                day.add(
                        new Request(
                                id,
                                OnlineRequests.json(
                                        id,
                                        f[h.indexOf("origin")],
                                        f[h.indexOf("dest")],
                                        Long.parseLong(f[h.indexOf("distance")]),
                                        dep)));
            }
        }
        Collections.shuffle(day, new Random(42));
        return day.subList(0, Math.min(REQUESTS, day.size()));
    }

    private static void send(EmbeddedKafka kafka, List<Request> requests) throws Exception {
        Properties p = new Properties();
        p.put("bootstrap.servers", kafka.bootstrapServers());
        p.put("key.serializer", ByteArraySerializer.class.getName());
        p.put("value.serializer", ByteArraySerializer.class.getName());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            for (Request r : requests) {
                producer.send(new ProducerRecord<>("flights.requests", r.json));
            }
            producer.flush();
        }
    }
}
