package dev.parity.jobs.data;

import dev.parity.features.engine.DecodedRow;
import dev.parity.features.engine.EventRow;
import dev.parity.features.engine.RowCsv;
import dev.parity.features.engine.RowDecoder;
import dev.parity.features.engine.SpecFileInput;
import dev.parity.features.engine.SpecPlan;
import dev.parity.features.spec.BundledSpec;
import dev.parity.features.spec.FeatureSpec;
import dev.parity.jobs.OutputPaths;
import dev.parity.jobs.backfill.BackfillJob;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code parity sample}: writes the rows of an events file that come before a day (by their
 * earliest event) as CSV in the spec's field order, original ids kept. Because every feature window
 * looks only backwards, the sample's query events have exactly the features they have in the full
 * file.
 */
@Command(
        name = "sample",
        mixinStandardHelpOptions = true,
        description =
                "Writes the rows of an events file that come before a day (by their earliest event) as CSV the backfill reads, original ids kept.")
public final class SampleCommand implements Callable<Integer> {
    @Option(
            names = "--events",
            required = true,
            paramLabel = "[KIND=]FILE",
            description =
                    "Parquet or CSV (.csv, .csv.gz) file of the spec's source rows, of its one event kind, or of the kind named before '='; by default flights-3m.parquet rows.")
    String events;

    @Option(
            names = "--spec",
            paramLabel = "FILE",
            description =
                    "Feature spec (YAML, see docs/SPEC.md) whose rows the file holds. Default: the bundled flights spec.")
    Path spec;

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
            description = "CSV file to write (replaced only once the sample is complete).")
    Path out;

    @Override
    public Integer call() throws Exception {
        SpecPlan plan = SpecPlan.of(spec == null ? BundledSpec.flights() : FeatureSpec.load(spec));
        OutputPaths.checkFile("--out", out);
        BackfillJob.Input in = BackfillJob.inputs(plan, List.of(events)).get(0);
        BackfillJob.checkInput(events, in);
        RowDecoder decoder = in.decoder.wholeRows();
        long cutoff = before.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
        long[] counts = new long[3]; // written, later, rejected
        Path dir = out.toAbsolutePath().getParent();
        Path created = OutputPaths.createDirectories("--out", dir);
        Path partial = Files.createTempFile(dir, out.getFileName().toString(), ".partial");
        boolean written = false;
        try {
            try (BufferedWriter w = Files.newBufferedWriter(partial, StandardCharsets.UTF_8)) {
                w.write(String.join(",", decoder.fields()));
                w.write('\n');
                SpecFileInput.forEachRow(
                        in.file,
                        decoder,
                        (DecodedRow r) -> {
                            if (!r.isValid()) {
                                counts[2]++;
                                return true;
                            }
                            EventRow row = r.events[0];
                            if (row.time >= cutoff) {
                                counts[1]++;
                                return true;
                            }
                            w.write(RowCsv.line(decoder.types(), row.values));
                            w.write('\n');
                            counts[0]++;
                            return true;
                        });
            }
            Files.move(partial, out, StandardCopyOption.REPLACE_EXISTING);
            written = true;
        } finally {
            Files.deleteIfExists(partial);
            if (!written) {
                OutputPaths.deleteRecursively(created); // a directory made for nothing
            }
        }
        System.out.printf(
                "sample: %,d %s before %s (%s) -> %s; %,d later, %,d invalid rows skipped%n",
                counts[0],
                decoder.describe(),
                before,
                Instant.ofEpochMilli(cutoff),
                out,
                counts[1],
                counts[2]);
        return 0;
    }
}
