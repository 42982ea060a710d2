package dev.parity.jobs.data;

import dev.parity.features.flink.FlightParquetFormat;
import dev.parity.features.io.FlightCsv;
import dev.parity.features.io.RowResult;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code parity sample}: writes the time prefix of the original Parquet file as CSV, keeping the
 * original ids. Because every feature window looks only backwards, the prefix's flights have
 * exactly the features they have in the full data set.
 */
@Command(
        name = "sample",
        mixinStandardHelpOptions = true,
        description = "Writes all flights departing before a day as CSV (original ids kept).")
public final class SampleCommand implements Callable<Integer> {
    @Option(
            names = "--events",
            required = true,
            paramLabel = "FILE",
            description = "flights-3m.parquet")
    Path events;

    @Option(
            names = "--before",
            required = true,
            paramLabel = "DAY",
            description = "First day (UTC, yyyy-mm-dd) not in the sample.")
    LocalDate before;

    @Option(
            names = "--out",
            required = true,
            paramLabel = "FILE",
            description = "CSV file to write.")
    Path out;

    @Override
    public Integer call() throws Exception {
        if (!Files.isReadable(events)) {
            throw new IllegalArgumentException("--events: cannot read '" + events + "'");
        }
        long cutoff = before.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
        long[] written = {0};
        long[] rejected = {0};
        if (out.getParent() != null) {
            Files.createDirectories(out.getParent());
        }
        try (BufferedWriter w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
            w.write(FlightCsv.HEADER);
            w.write('\n');
            FlightParquetFormat.forEachRow(
                    events.toString(),
                    (RowResult r) -> {
                        if (!r.isValid()) {
                            rejected[0]++;
                            return true;
                        }
                        if (r.row.depTime >= cutoff) {
                            return false; // the file is sorted by date
                        }
                        w.write(FlightCsv.format(r.row));
                        w.write('\n');
                        written[0]++;
                        return true;
                    });
        }
        System.out.printf(
                "sample: %,d flights before %s (%s) -> %s; %,d invalid rows skipped%n",
                written[0], before, Instant.ofEpochMilli(cutoff), out, rejected[0]);
        return 0;
    }
}
