package dev.parity.features.reference;

import dev.parity.features.api.EventType;
import dev.parity.features.events.FlightEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * Daily feature snapshots recomputed from scratch, written from examples/flights/README.md alone
 * (not from the feature engine): for entity {@code e} and UTC midnight {@code m}, each feature over
 * the events in {@code [m - W, m)}. An entity has a snapshot on {@code m} if it had an event on the
 * day before, or if any of its kind's windows was non-empty at the previous midnight (snapshots
 * continue while windows hold events, across days without events).
 */
public final class NaiveSnapshotReference {
    private static final long HOUR = 3_600_000L;
    private static final long DAY = 24 * HOUR;

    /** name, entity kind, event type, window, mean (else count): the standard set, by hand. */
    private static final Object[][] FEATURES = {
        {"origin_dep_1h", "origin", EventType.DEPARTURE, HOUR, false},
        {"dest_arr_1h", "dest", EventType.ARRIVAL, HOUR, false},
        {"origin_delay_mean_6h", "origin", EventType.ARRIVAL, 6 * HOUR, true},
        {"dest_delay_mean_1h", "dest", EventType.ARRIVAL, HOUR, true},
        {"route_delay_mean_7d", "route", EventType.ARRIVAL, 7 * DAY, true},
        {"origin_delay_mean_30d_daily", "origin", EventType.ARRIVAL, 30 * DAY, true},
    };

    private NaiveSnapshotReference() {}

    /** {@code origin:SFO}, {@code dest:SFO} or {@code route:SFO>LAX}. */
    public static String entityOf(String kind, FlightEvent e) {
        switch (kind) {
            case "origin":
                return "origin:" + e.origin;
            case "dest":
                return "dest:" + e.dest;
            default:
                return "route:" + e.origin + ">" + e.dest;
        }
    }

    /**
     * {@code "entity|day|feature" -> value} (NaN for null) for the entities {@code wanted} accepts,
     * on the midnights from {@code firstMidnight} to {@code lastMidnight} (epoch millis,
     * inclusive).
     */
    public static Map<String, Double> snapshots(
            List<FlightEvent> events,
            long firstMidnight,
            long lastMidnight,
            Predicate<String> wanted) {
        Map<String, List<Object[]>> byKind = new TreeMap<>();
        for (Object[] f : FEATURES) {
            byKind.computeIfAbsent((String) f[1], k -> new ArrayList<>()).add(f);
        }
        Map<String, Double> out = new TreeMap<>();
        for (Map.Entry<String, List<Object[]>> kind : byKind.entrySet()) {
            TreeSet<String> entities = new TreeSet<>();
            for (FlightEvent e : events) {
                String entity = entityOf(kind.getKey(), e);
                if (wanted.test(entity)) {
                    entities.add(entity);
                }
            }
            for (String entity : entities) {
                List<FlightEvent> own = new ArrayList<>();
                for (FlightEvent e : events) {
                    if (entityOf(kind.getKey(), e).equals(entity)) {
                        own.add(e);
                    }
                }
                long earliest = Long.MAX_VALUE;
                for (FlightEvent e : own) {
                    earliest = Math.min(earliest, e.time);
                }
                long m = Math.floorDiv(earliest, DAY) * DAY;
                for (; m <= lastMidnight; m += DAY) {
                    boolean eventDayBefore = false;
                    boolean nonEmpty = false;
                    Map<String, Double> values = new TreeMap<>();
                    for (Object[] f : kind.getValue()) {
                        long n = 0;
                        long sum = 0;
                        for (FlightEvent e : own) {
                            if (e.type != f[2]) {
                                continue;
                            }
                            if (e.time >= m - DAY && e.time < m) {
                                eventDayBefore = true;
                            }
                            if (e.time >= m - (long) f[3] && e.time < m) {
                                n++;
                                sum += e.delay;
                            }
                        }
                        nonEmpty |= n > 0;
                        values.put(
                                (String) f[0],
                                (boolean) f[4] ? (n == 0 ? Double.NaN : (double) sum / n) : n);
                    }
                    if ((eventDayBefore || nonEmpty) && m >= firstMidnight) {
                        String day = Instant.ofEpochMilli(m).toString().substring(0, 10);
                        values.forEach((name, v) -> out.put(entity + "|" + day + "|" + name, v));
                    }
                }
            }
        }
        return out;
    }
}
