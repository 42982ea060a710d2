package dev.parity.compression.training;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Random;

/**
 * Writes a features.csv with a known nonlinear delay: {@code 20 * |sin(distance / 300)| + 0.5 *
 * route_delay (or 5 when null) + 15 * [dep_hour >= 17] + noise}, about a fifth of the route values
 * null, spread over Jan-Jun 2001 so every split has rows.
 */
final class SyntheticFeatures {
    static final String HEADER =
            "id,dep_time,origin,dest,distance,dep_hour,dep_dow,origin_dep_1h,dest_arr_1h,"
                    + "origin_delay_mean_6h,dest_delay_mean_1h,route_delay_mean_7d,"
                    + "origin_delay_mean_30d_daily,delay";

    private SyntheticFeatures() {}

    static Path write(Path dir, int rows, long seed) throws IOException {
        Path csv = dir.resolve("features.csv");
        Random rnd = new Random(seed);
        long start = Instant.parse("2001-01-01T00:00:00Z").getEpochSecond();
        long span = Instant.parse("2001-07-01T00:00:00Z").getEpochSecond() - start;
        try (Writer w = Files.newBufferedWriter(csv, StandardCharsets.UTF_8)) {
            w.write(HEADER + "\n");
            for (int i = 0; i < rows; i++) {
                long t = start + (long) ((double) i / rows * span);
                int distance = 100 + rnd.nextInt(2400);
                int hour = rnd.nextInt(24);
                int dow = 1 + rnd.nextInt(7);
                int dep1h = rnd.nextInt(30);
                int arr1h = rnd.nextInt(30);
                boolean nullRoute = rnd.nextInt(5) == 0;
                double route = rnd.nextGaussian() * 15 + 5;
                double o6 = rnd.nextGaussian() * 10;
                double d1 = rnd.nextGaussian() * 10;
                double o30 = rnd.nextGaussian() * 5;
                double delay =
                        20 * Math.abs(Math.sin(distance / 300.0))
                                + 0.5 * (nullRoute ? 5 : route)
                                + (hour >= 17 ? 15 : 0)
                                + rnd.nextGaussian() * 2;
                w.write(
                        i
                                + ","
                                + Instant.ofEpochSecond(t)
                                + ",SEA,SFO,"
                                + distance
                                + ","
                                + hour
                                + ","
                                + dow
                                + ","
                                + dep1h
                                + ","
                                + arr1h
                                + ","
                                + o6
                                + ","
                                + d1
                                + ","
                                + (nullRoute ? "" : Double.toString(route))
                                + ","
                                + o30
                                + ","
                                + Math.round(delay)
                                + "\n");
            }
        }
        return csv;
    }
}
