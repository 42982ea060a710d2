package dev.parity.features.reference;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The committed sample ({@code data/sample/flights-sample.csv}), found from any module. */
public final class SampleData {
    public static final String RELATIVE_PATH = "data/sample/flights-sample.csv";

    private SampleData() {}

    /** Absolute path of the sample, searching upwards from the working directory. */
    public static Path path() {
        Path dir = Path.of("").toAbsolutePath();
        for (Path d = dir; d != null; d = d.getParent()) {
            Path candidate = d.resolve(RELATIVE_PATH);
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException(RELATIVE_PATH + " not found above " + dir);
    }

    /** The sample's rows, parsed with a plain split (it is known to be clean). */
    public static List<FlightRow> rows() {
        try {
            List<String> lines = Files.readAllLines(path(), StandardCharsets.UTF_8);
            List<FlightRow> rows = new ArrayList<>(lines.size());
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.split(",");
                rows.add(
                        new FlightRow(
                                Long.parseLong(f[0]),
                                Instant.parse(f[1]).toEpochMilli(),
                                Long.parseLong(f[2]),
                                Long.parseLong(f[3]),
                                f[4],
                                f[5]));
            }
            return rows;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
