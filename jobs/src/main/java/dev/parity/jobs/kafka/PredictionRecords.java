package dev.parity.jobs.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parity.features.engine.EventJson;
import dev.parity.features.engine.EventRow;
import dev.parity.features.engine.SpecPlan;
import dev.parity.features.spec.BundledSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Reading the predictions topic back, and ending a replay: what the demo, the benchmarks and the
 * tests all do to compare a stream with a backfill.
 */
public final class PredictionRecords {
    /** Ids of end-of-replay markers; no flight of the data set has one this large. */
    public static final long MARKER_ID = 900_000_000L;

    private static final ObjectMapper JSON = new ObjectMapper();

    private PredictionRecords() {}

    /**
     * A prediction record's value as a line of the backfill's {@code predictions.csv}: {@code
     * id,model,version,prediction}.
     */
    public static String csvLine(byte[] value) {
        JsonNode n;
        try {
            n = JSON.readTree(value);
        } catch (IOException e) {
            throw new UncheckedIOException("a prediction that is not JSON", e);
        }
        return n.get("id").asLong()
                + ","
                + n.get("model").asText()
                + ","
                + n.get("version").asText()
                + ","
                + Float.toString(n.get("prediction").floatValue());
    }

    /** The flight id of a {@link #csvLine}. */
    public static long idOf(String csvLine) {
        return Long.parseLong(csvLine.substring(0, csvLine.indexOf(',')));
    }

    /**
     * Writes one departure per partition of {@code topic} at {@code time}, with ids from {@link
     * #MARKER_ID}. An unbounded stream predicts a flight once event time passes its departure,
     * which needs later events on every partition; after a replay these markers are those later
     * events, as further traffic would be in production.
     */
    public static void sendEndMarkers(String servers, String topic, int partitions, Instant time)
            throws Exception {
        SpecPlan flights = SpecPlan.of(BundledSpec.flights());
        // a departure {id, time, origin, dest, distance}
        EventRow template =
                new EventRow(
                        flights.queryKind().index(), 0, 0, new Object[] {0L, 0L, "END", "END", 1L});
        sendEndMarkers(servers, topic, partitions, flights, template, time);
    }

    /**
     * As {@link #sendEndMarkers(String, String, int, Instant)} for any spec: each marker is {@code
     * template} (a query event, so that it passes the spec's rules) with the marker's id and {@code
     * time}.
     */
    public static void sendEndMarkers(
            String servers,
            String topic,
            int partitions,
            SpecPlan plan,
            EventRow template,
            Instant time)
            throws Exception {
        SpecPlan.Kind kind = plan.kind(template.kind);
        if (kind.idField() < 0) {
            throw new IllegalArgumentException(
                    "event kind " + kind.name() + " has no id field: no end-of-replay marker");
        }
        Properties p = new Properties();
        p.put("bootstrap.servers", servers);
        p.put("key.serializer", ByteArraySerializer.class.getName());
        p.put("value.serializer", ByteArraySerializer.class.getName());
        EventJson json = new EventJson(plan);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            for (int partition = 0; partition < partitions; partition++) {
                long id = MARKER_ID + partition;
                Object[] values = template.values.clone();
                values[kind.idField()] = id;
                values[kind.timeField()] = time.toEpochMilli();
                EventRow marker = new EventRow(template.kind, id, time.toEpochMilli(), values);
                producer.send(
                                new ProducerRecord<>(
                                        topic,
                                        partition,
                                        Long.toString(id).getBytes(StandardCharsets.UTF_8),
                                        json.encode(marker)))
                        .get();
            }
        }
    }

    /**
     * Writes {@code e} as the events topic carries it ({@code json}'s form, keyed by the event's
     * id) to a partition.
     */
    public static java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata>
            send(
                    KafkaProducer<byte[], byte[]> producer,
                    String topic,
                    int partition,
                    EventJson json,
                    EventRow e) {
        return producer.send(
                new ProducerRecord<>(
                        topic,
                        partition,
                        Long.toString(e.id).getBytes(StandardCharsets.UTF_8),
                        json.encode(e)));
    }
}
