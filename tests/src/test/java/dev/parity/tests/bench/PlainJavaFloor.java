package dev.parity.tests.bench;

import dev.parity.features.engine.EventRow;
import dev.parity.features.engine.RowDecoder;
import dev.parity.features.engine.SpecFileInput;
import dev.parity.features.engine.SpecPlan;
import dev.parity.features.spec.BundledSpec;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The floor for the feature engine's benchmark: the flights training file computed by one thread of
 * plain Java with everything in memory, the way one would by hand for this one spec. Per feature,
 * the keyed events are counting-sorted by key, then sorted by time within a key with their delays
 * packed into the same {@code long}; a query is two binary searches and a difference of prefix
 * sums. No framework, no state, no serialization, no fault tolerance: what the engine pays for
 * being general, parallel and restartable is its time over this one.
 *
 * <p>Its output must be byte-identical to the engine's {@code features.csv}; the benchmark checks.
 */
final class PlainJavaFloor {
    private static final long DAY = 86_400_000L;
    private static final long HOUR = 3_600_000L;
    private static final int DELAY_BITS = 24;
    private static final long DELAY_OFFSET = 1L << (DELAY_BITS - 1);

    private PlainJavaFloor() {}

    /** Timings of one run, seconds. */
    static final class Times {
        double read;
        double compute;
        double write;

        double total() {
            return read + compute + write;
        }
    }

    static Times run(String events, Path out) throws Exception {
        Times times = new Times();
        long t0 = System.nanoTime();
        int[] n = {0};
        long[][] cols = {
            new long[1 << 16], new long[1 << 16], new long[1 << 16], new long[1 << 16]
        };
        String[][] keys = {new String[1 << 16], new String[1 << 16]};
        // the rows are read (and checked) by the engine's reader; the arithmetic is by hand
        SpecPlan plan = SpecPlan.of(BundledSpec.flights());
        int distanceField = plan.kind("departure").fieldIndex("distance");
        int originField = plan.kind("departure").fieldIndex("origin");
        int destField = plan.kind("departure").fieldIndex("dest");
        int delayField = plan.kind("arrival").fieldIndex("delay");
        SpecFileInput.forEachRow(
                events,
                RowDecoder.forSource(plan),
                r -> {
                    if (!r.isValid()) {
                        return true;
                    }
                    if (n[0] == cols[0].length) {
                        for (int c = 0; c < cols.length; c++) {
                            cols[c] = Arrays.copyOf(cols[c], n[0] * 2);
                        }
                        for (int c = 0; c < keys.length; c++) {
                            keys[c] = Arrays.copyOf(keys[c], n[0] * 2);
                        }
                    }
                    EventRow departure = r.events[0];
                    cols[0][n[0]] = departure.id;
                    cols[1][n[0]] = departure.time;
                    cols[2][n[0]] = (Long) r.events[1].values[delayField];
                    cols[3][n[0]] = (Long) departure.values[distanceField];
                    keys[0][n[0]] = (String) departure.values[originField];
                    keys[1][n[0]] = (String) departure.values[destField];
                    n[0]++;
                    return true;
                });
        int rows = n[0];
        long[] id = cols[0];
        long[] dep = cols[1];
        long[] delay = cols[2];
        long[] distance = cols[3];
        long t1 = System.nanoTime();
        times.read = (t1 - t0) / 1e9;

        Map<String, Integer> airports = new HashMap<>();
        int[] origin = new int[rows];
        int[] dest = new int[rows];
        long[] arr = new long[rows];
        long base = Long.MAX_VALUE;
        for (int i = 0; i < rows; i++) {
            origin[i] = airports.computeIfAbsent(keys[0][i], k -> airports.size());
            dest[i] = airports.computeIfAbsent(keys[1][i], k -> airports.size());
            arr[i] = dep[i] + Math.max(1, 30 + distance[i] / 8 + delay[i]) * 60_000L;
            base = Math.min(base, dep[i]);
        }
        base -= 40 * DAY; // every window start is after base
        int a = airports.size();
        int[] route = new int[rows];
        for (int i = 0; i < rows; i++) {
            route[i] = origin[i] * a + dest[i];
        }
        long[] noDelay = new long[rows];
        Keyed depByOrigin = new Keyed(origin, a, dep, noDelay, base);
        Keyed arrByDest = new Keyed(dest, a, arr, delay, base);
        Keyed arrByOrigin = new Keyed(origin, a, arr, delay, base);
        Keyed arrByRoute = new Keyed(route, a * a, arr, delay, base);

        long[] c1 = new long[rows];
        long[] c2 = new long[rows];
        double[] m6h = new double[rows];
        double[] m1h = new double[rows];
        double[] m7d = new double[rows];
        double[] m30 = new double[rows];
        long[] sc = new long[2];
        for (int i = 0; i < rows; i++) {
            long t = dep[i];
            depByOrigin.window(origin[i], t - HOUR, t, sc);
            c1[i] = sc[0];
            arrByDest.window(dest[i], t - HOUR, t, sc);
            c2[i] = sc[0];
            m1h[i] = mean(sc);
            arrByOrigin.window(origin[i], t - 6 * HOUR, t, sc);
            m6h[i] = mean(sc);
            arrByRoute.window(route[i], t - 7 * DAY, t, sc);
            m7d[i] = mean(sc);
            long day = Math.floorDiv(t, DAY) * DAY;
            arrByOrigin.window(origin[i], day - 30 * DAY, day, sc);
            m30[i] = mean(sc);
        }
        long t2 = System.nanoTime();
        times.compute = (t2 - t1) / 1e9;

        try (BufferedWriter w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
            w.write(
                    "id,dep_time,origin,dest,distance,dep_hour,dep_dow,origin_dep_1h,dest_arr_1h,"
                            + "origin_delay_mean_6h,dest_delay_mean_1h,route_delay_mean_7d,"
                            + "origin_delay_mean_30d_daily,delay\n");
            StringBuilder sb = new StringBuilder(128);
            for (int i = 0; i < rows; i++) {
                sb.setLength(0);
                ZonedDateTime z = Instant.ofEpochMilli(dep[i]).atZone(ZoneOffset.UTC);
                sb.append(id[i]).append(',').append(Instant.ofEpochMilli(dep[i])).append(',');
                sb.append(keys[0][i]).append(',').append(keys[1][i]).append(',');
                sb.append(distance[i]).append(',').append(z.getHour()).append(',');
                sb.append(z.getDayOfWeek().getValue()).append(',');
                sb.append(c1[i]).append(',').append(c2[i]).append(',');
                append(sb, m6h[i]);
                append(sb, m1h[i]);
                append(sb, m7d[i]);
                append(sb, m30[i]);
                sb.append(delay[i]).append('\n');
                w.append(sb);
            }
        }
        times.write = (System.nanoTime() - t2) / 1e9;
        return times;
    }

    private static double mean(long[] countAndSum) {
        return countAndSum[0] == 0 ? Double.NaN : (double) countAndSum[1] / countAndSum[0];
    }

    private static void append(StringBuilder sb, double v) {
        if (!Double.isNaN(v)) {
            sb.append(v);
        }
        sb.append(',');
    }

    /** One feature's events: by key, sorted by time, with prefix sums of their delays. */
    static final class Keyed {
        private final int[] start; // per key: first position
        private final long[] packed; // (time - base) << DELAY_BITS | (delay + offset)
        private final long[] prefix; // prefix[p] = sum of delays before position p
        private final long base;

        Keyed(int[] key, int keys, long[] time, long[] delay, long base) {
            this.base = base;
            int rows = key.length;
            start = new int[keys + 1];
            for (int k : key) {
                start[k + 1]++;
            }
            for (int k = 0; k < keys; k++) {
                start[k + 1] += start[k];
            }
            int[] fill = Arrays.copyOf(start, keys);
            packed = new long[rows];
            for (int i = 0; i < rows; i++) {
                packed[fill[key[i]]++] = (time[i] - base) << DELAY_BITS | (delay[i] + DELAY_OFFSET);
            }
            prefix = new long[rows + 1];
            for (int k = 0; k < keys; k++) {
                Arrays.sort(packed, start[k], start[k + 1]);
            }
            for (int p = 0; p < rows; p++) {
                prefix[p + 1] = prefix[p] + ((packed[p] & ((1L << DELAY_BITS) - 1)) - DELAY_OFFSET);
            }
        }

        /** Count and delay sum of key {@code k}'s events with time in {@code [from, until)}. */
        void window(int k, long from, long until, long[] out) {
            int lo = search(start[k], start[k + 1], (from - base) << DELAY_BITS);
            int hi = search(lo, start[k + 1], (until - base) << DELAY_BITS);
            out[0] = hi - lo;
            out[1] = prefix[hi] - prefix[lo];
        }

        /** First position in {@code [from, to)} whose packed value is at least {@code v}. */
        private int search(int from, int to, long v) {
            int lo = from;
            int hi = to;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (packed[mid] < v) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            return lo;
        }
    }
}
