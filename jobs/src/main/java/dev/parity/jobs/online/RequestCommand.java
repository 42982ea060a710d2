package dev.parity.jobs.online;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parity.features.engine.DecodedRow;
import dev.parity.features.engine.EventJson;
import dev.parity.features.engine.EventRow;
import dev.parity.features.engine.FieldValues;
import dev.parity.features.engine.SpecPlan;
import dev.parity.features.spec.BundledSpec;
import dev.parity.features.spec.FeatureSpec;
import dev.parity.jobs.kafka.KafkaPreflight;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code parity request}: a client of the online job. It checks each request with the spec's own
 * decoder (as the job will), writes it to the requests topic and prints the job's committed
 * response, matched by {@code request_id}.
 */
@Command(
        name = "request",
        mixinStandardHelpOptions = true,
        description = {
            "Sends online prediction requests and prints the responses: one request from FIELD=VALUE"
                    + " pairs (the query event's fields; time defaults to now, id to a fresh one),"
                    + " or one JSON object per line with --json-lines.",
            "Example: parity request origin=LAX dest=SFO distance=337 time=2001-01-02T10:00:00Z"
        })
public final class RequestCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Parameters(
            paramLabel = "FIELD=VALUE",
            arity = "0..*",
            description = "A field of the query event and its value, as in a CSV file.")
    List<String> pairs = new ArrayList<>();

    @Option(
            names = "--json-lines",
            paramLabel = "FILE",
            description = "Requests as JSON objects, one per line ('-' for standard input).")
    String jsonLines;

    @Option(
            names = "--spec",
            paramLabel = "FILE",
            description = "Feature spec of the online job. Default: the bundled flights spec.")
    Path spec;

    @Option(
            names = "--bootstrap-servers",
            defaultValue = "localhost:9092",
            paramLabel = "HOST:PORT",
            description = "Kafka bootstrap servers. Default: ${DEFAULT-VALUE}.")
    String bootstrapServers;

    @Option(
            names = "--requests-topic",
            defaultValue = "flights.requests",
            paramLabel = "TOPIC",
            description = "Topic the online job reads. Default: ${DEFAULT-VALUE}.")
    String requestsTopic;

    @Option(
            names = "--responses-topic",
            defaultValue = "flights.responses",
            paramLabel = "TOPIC",
            description = "Topic the online job answers on. Default: ${DEFAULT-VALUE}.")
    String responsesTopic;

    @Option(
            names = "--timeout",
            defaultValue = "PT60S",
            paramLabel = "DURATION",
            description =
                    "How long to wait for all responses (ISO-8601, e.g. PT30S). Responses are"
                            + " committed with the job's checkpoints. Default: ${DEFAULT-VALUE}.")
    Duration timeout;

    @Override
    public Integer call() throws Exception {
        SpecPlan plan = SpecPlan.of(spec == null ? BundledSpec.flights() : FeatureSpec.load(spec));
        EventJson json = new EventJson(plan);
        List<byte[]> requests = new ArrayList<>();
        List<Long> ids = new ArrayList<>();
        if (jsonLines != null) {
            if (!pairs.isEmpty()) {
                throw new IllegalArgumentException(
                        "give FIELD=VALUE pairs or --json-lines, not both");
            }
            readJsonLines(plan, json, requests, ids);
        } else {
            if (pairs.isEmpty()) {
                throw new IllegalArgumentException(
                        "no request: give FIELD=VALUE pairs of the "
                                + plan.queryKind().name()
                                + " event or --json-lines FILE");
            }
            byte[] r = fromPairs(plan, json);
            requests.add(r);
            ids.add(check(plan, json, r, "the request"));
        }
        KafkaPreflight.check(
                bootstrapServers,
                new Properties(),
                KafkaPreflight.TIMEOUT,
                false,
                "--requests-topic=" + requestsTopic,
                "--responses-topic=" + responsesTopic);

        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrapServers);
        Map<Long, Integer> waiting = new HashMap<>();
        for (int i = 0; i < ids.size(); i++) {
            waiting.put(ids.get(i), i);
        }
        String[] answers = new String[ids.size()];
        try (KafkaConsumer<byte[], byte[]> consumer =
                        new KafkaConsumer<>(
                                c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
                KafkaProducer<byte[], byte[]> producer =
                        new KafkaProducer<>(
                                p, new ByteArraySerializer(), new ByteArraySerializer())) {
            // from the end as it is now: only responses to these requests, not earlier ones
            List<TopicPartition> partitions =
                    consumer.partitionsFor(responsesTopic).stream()
                            .map(i -> new TopicPartition(responsesTopic, i.partition()))
                            .collect(Collectors.toList());
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position);
            for (int i = 0; i < requests.size(); i++) {
                producer.send(
                        new ProducerRecord<>(
                                requestsTopic,
                                Long.toString(ids.get(i)).getBytes(StandardCharsets.UTF_8),
                                requests.get(i)));
            }
            producer.flush();
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!waiting.isEmpty() && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    JsonNode n = JSON.readTree(r.value());
                    JsonNode id = n.get("request_id");
                    Integer at =
                            id == null || !id.canConvertToLong()
                                    ? null
                                    : waiting.remove(id.asLong());
                    if (at != null) {
                        answers[at] = new String(r.value(), StandardCharsets.UTF_8);
                        System.out.println(answers[at]);
                    }
                }
            }
        }
        if (!waiting.isEmpty()) {
            System.err.printf(
                    "error: no response to %d of %d requests on %s within %s (is `parity online`"
                            + " running on %s?)%n",
                    waiting.size(), ids.size(), responsesTopic, timeout, requestsTopic);
            return 3;
        }
        return 0;
    }

    private byte[] fromPairs(SpecPlan plan, EventJson json) {
        SpecPlan.Kind kind = plan.queryKind();
        Object[] values = new Object[kind.size()];
        boolean[] given = new boolean[kind.size()];
        for (String pair : pairs) {
            int eq = pair.indexOf('=');
            if (eq < 1) {
                throw new IllegalArgumentException(
                        "'" + pair + "': expected FIELD=VALUE, e.g. origin=LAX");
            }
            String field = pair.substring(0, eq);
            int f = -1;
            for (int i = 0; i < kind.size(); i++) {
                if (kind.field(i).equals(field)) {
                    f = i;
                }
            }
            if (f < 0) {
                List<String> names = new ArrayList<>();
                for (int i = 0; i < kind.size(); i++) {
                    names.add(kind.field(i));
                }
                throw new IllegalArgumentException(
                        "'"
                                + field
                                + "' is not a field of the "
                                + kind.name()
                                + " event ("
                                + String.join(", ", names)
                                + ")");
            }
            try {
                values[f] = FieldValues.parse(kind.type(f), pair.substring(eq + 1));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("'" + field + "': " + e.getMessage(), e);
            }
            given[f] = true;
        }
        if (!given[kind.timeField()]) {
            values[kind.timeField()] = System.currentTimeMillis();
        }
        if (kind.idField() >= 0 && !given[kind.idField()]) {
            values[kind.idField()] = freshId();
        }
        long id = kind.idField() >= 0 ? (Long) values[kind.idField()] : 0;
        return json.encode(new EventRow(kind.index(), id, (Long) values[kind.timeField()], values));
    }

    private void readJsonLines(SpecPlan plan, EventJson json, List<byte[]> requests, List<Long> ids)
            throws Exception {
        try (BufferedReader in =
                jsonLines.equals("-")
                        ? new BufferedReader(
                                new InputStreamReader(System.in, StandardCharsets.UTF_8))
                        : Files.newBufferedReader(Path.of(jsonLines), StandardCharsets.UTF_8)) {
            String line;
            int n = 0;
            while ((line = in.readLine()) != null) {
                n++;
                if (line.isBlank()) {
                    continue;
                }
                byte[] r = line.getBytes(StandardCharsets.UTF_8);
                ids.add(check(plan, json, r, jsonLines + ":" + n));
                requests.add(r);
                if (requests.size() > 100_000) {
                    throw new IllegalArgumentException(
                            jsonLines + ": more than 100,000 requests; send them in parts");
                }
            }
        }
        if (requests.isEmpty()) {
            throw new IllegalArgumentException(jsonLines + ": no request in it");
        }
    }

    /** The request's id, after the job's own check; refused in one line naming {@code where}. */
    private static long check(SpecPlan plan, EventJson json, byte[] request, String where) {
        DecodedRow r = json.decode(where, 0, request, plan.queryKind());
        if (!r.isValid()) {
            throw new IllegalArgumentException(where + ": " + r.reason);
        }
        for (EventRow e : r.events) {
            if (e.kind == plan.queryKind().index()) {
                return e.id;
            }
        }
        throw new IllegalArgumentException(
                where
                        + ": not a "
                        + plan.queryKind().name()
                        + " event, which is what the job answers");
    }

    /** An id no flight of the data has: the clock in microseconds. */
    private static long freshId() {
        return System.currentTimeMillis() * 1000 + (System.nanoTime() / 1000) % 1000;
    }
}
