package dev.parity.features.reference;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A deliberately plain implementation of examples/flights/README.md, written straight from its
 * table and sharing no code with the engine (not the definitions, the expansion, the windows nor
 * the formatting): per key, the events sorted by time with prefix sums, and a binary search for
 * each window's bounds. The engine must agree with it on every row; other modules' tests reuse it
 * from the test-jar.
 */
public final class NaiveFeatureReference {
    private static final long MINUTE = 60_000L;
    private static final long HOUR = 60 * MINUTE;
    private static final long DAY = 24 * HOUR;

    public static final String HEADER =
            "id,dep_time,origin,dest,distance,dep_hour,dep_dow,origin_dep_1h,dest_arr_1h,"
                    + "origin_delay_mean_6h,dest_delay_mean_1h,route_delay_mean_7d,"
                    + "origin_delay_mean_30d_daily,delay";

    private NaiveFeatureReference() {}

    /** The training file text (header and rows sorted by id) for {@code rows}. */
    public static List<String> trainingFile(List<FlightRow> rows) {
        Index depByOrigin = new Index();
        Index arrByOrigin = new Index();
        Index arrByDest = new Index();
        Index arrByRoute = new Index();
        for (FlightRow r : rows) {
            long arr = r.arrivalTime();
            depByOrigin.add(r.origin, r.depTime, 0);
            arrByOrigin.add(r.origin, arr, r.delay);
            arrByDest.add(r.dest, arr, r.delay);
            arrByRoute.add(r.origin + "->" + r.dest, arr, r.delay);
        }
        depByOrigin.seal();
        arrByOrigin.seal();
        arrByDest.seal();
        arrByRoute.seal();

        List<FlightRow> sorted = new ArrayList<>(rows);
        sorted.sort(Comparator.comparingLong(r -> r.id));
        List<String> out = new ArrayList<>(sorted.size() + 1);
        out.add(HEADER);
        for (FlightRow r : sorted) {
            long t = r.depTime;
            long day = Math.floorDiv(t, DAY) * DAY;
            ZonedDateTime z = Instant.ofEpochMilli(t).atZone(ZoneOffset.UTC);
            StringBuilder sb = new StringBuilder();
            sb.append(r.id).append(',').append(Instant.ofEpochMilli(t)).append(',');
            sb.append(r.origin).append(',').append(r.dest).append(',');
            sb.append(r.distance).append(',');
            sb.append(z.getHour()).append(',').append(z.getDayOfWeek().getValue()).append(',');
            sb.append(depByOrigin.count(r.origin, t - HOUR, t)).append(',');
            sb.append(arrByDest.count(r.dest, t - HOUR, t)).append(',');
            sb.append(arrByOrigin.mean(r.origin, t - 6 * HOUR, t)).append(',');
            sb.append(arrByDest.mean(r.dest, t - HOUR, t)).append(',');
            sb.append(arrByRoute.mean(r.origin + "->" + r.dest, t - 7 * DAY, t)).append(',');
            sb.append(arrByOrigin.mean(r.origin, day - 30 * DAY, day)).append(',');
            sb.append(r.delay);
            out.add(sb.toString());
        }
        return out;
    }

    /** Per key: event times sorted, with prefix sums of the delays. */
    private static final class Index {
        private final Map<String, List<long[]>> raw = new HashMap<>();
        private final Map<String, long[]> times = new HashMap<>();
        private final Map<String, long[]> prefix = new HashMap<>();

        void add(String key, long time, long delay) {
            raw.computeIfAbsent(key, k -> new ArrayList<>()).add(new long[] {time, delay});
        }

        void seal() {
            for (Map.Entry<String, List<long[]>> e : raw.entrySet()) {
                List<long[]> evs = e.getValue();
                evs.sort(Comparator.comparingLong(a -> a[0]));
                long[] ts = new long[evs.size()];
                long[] ps = new long[evs.size() + 1];
                for (int i = 0; i < evs.size(); i++) {
                    ts[i] = evs.get(i)[0];
                    ps[i + 1] = ps[i] + evs.get(i)[1];
                }
                times.put(e.getKey(), ts);
                prefix.put(e.getKey(), ps);
            }
        }

        /** Number of events with {@code from <= time < to}. */
        long count(String key, long from, long to) {
            long[] ts = times.get(key);
            if (ts == null) {
                return 0;
            }
            return firstAtOrAfter(ts, to) - firstAtOrAfter(ts, from);
        }

        /** Mean delay over {@code from <= time < to} as text; empty when there is none. */
        String mean(String key, long from, long to) {
            long[] ts = times.get(key);
            if (ts == null) {
                return "";
            }
            int i = firstAtOrAfter(ts, from);
            int j = firstAtOrAfter(ts, to);
            if (j == i) {
                return "";
            }
            long[] ps = prefix.get(key);
            return Double.toString((double) (ps[j] - ps[i]) / (j - i));
        }

        private static int firstAtOrAfter(long[] ts, long x) {
            int i = Arrays.binarySearch(ts, x);
            if (i < 0) {
                return -i - 1;
            }
            while (i > 0 && ts[i - 1] == x) {
                i--;
            }
            return i;
        }
    }
}
