package dev.parity.tests.kafka;

import dev.parity.features.engine.EventJson;
import dev.parity.features.engine.EventRow;
import dev.parity.features.engine.RowDecoder;
import dev.parity.features.engine.SpecPlan;
import dev.parity.features.reference.FlightRow;
import dev.parity.features.spec.BundledSpec;
import dev.parity.jobs.kafka.PredictionRecords;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.kafka.clients.producer.KafkaProducer;

/**
 * Flights rows as {@code flights.events} carries them: the bundled flights spec's own source
 * decoder turns each row into its departure and arrival (as a backfill of the row would), and its
 * JSON codec writes them.
 */
final class FlightEvents {
    static final SpecPlan PLAN = SpecPlan.of(BundledSpec.flights());
    static final EventJson JSON = new EventJson(PLAN);
    static final int DEPARTURE = PLAN.kind("departure").index();
    static final int ARRIVAL = PLAN.kind("arrival").index();
    private static final RowDecoder ROWS = RowDecoder.forSource(PLAN);

    private FlightEvents() {}

    /** The row's events: its departure, then its arrival. */
    static EventRow[] of(FlightRow r) {
        return ROWS.decode(new Object[] {r.id, r.depTime, r.delay, r.distance, r.origin, r.dest});
    }

    static EventRow departure(FlightRow r) {
        return of(r)[0];
    }

    static EventRow arrival(FlightRow r) {
        return of(r)[1];
    }

    /**
     * Every row's departure and arrival, in event-time order (ties by id, then departure first).
     */
    static List<EventRow> inTimeOrder(List<FlightRow> rows) {
        List<EventRow> events = new ArrayList<>();
        for (FlightRow r : rows) {
            events.addAll(List.of(of(r)));
        }
        events.sort(
                Comparator.<EventRow>comparingLong(e -> e.time)
                        .thenComparingLong(e -> e.id)
                        .thenComparingInt(e -> e.kind));
        return events;
    }

    /** Sends {@code e} to {@code partition}; the future completes when the broker has it. */
    static java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata> send(
            KafkaProducer<byte[], byte[]> producer, String topic, int partition, EventRow e) {
        return PredictionRecords.send(producer, topic, partition, JSON, e);
    }
}
