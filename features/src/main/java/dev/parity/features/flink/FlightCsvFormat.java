package dev.parity.features.flink;

import dev.parity.features.io.FlightCsv;
import dev.parity.features.io.RowResult;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.reader.SimpleStreamFormat;
import org.apache.flink.core.fs.FSDataInputStream;

/**
 * Reads the flights CSV ({@link FlightCsv#HEADER}) into {@link RowResult}s with 1-based line
 * numbers. Not splittable, so every line number is exact; a bad data line becomes a rejected result
 * and reading goes on, while a wrong header fails the file with an error naming it.
 */
public final class FlightCsvFormat extends SimpleStreamFormat<RowResult> {
    private static final long serialVersionUID = 1L;

    private final String sourceName;

    /** {@code sourceName} is used in rejected-row reports, usually the file name. */
    public FlightCsvFormat(String sourceName) {
        this.sourceName = sourceName;
    }

    @Override
    public Reader<RowResult> createReader(Configuration config, FSDataInputStream stream)
            throws IOException {
        BufferedReader in =
                new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8), 1 << 16);
        String header = in.readLine();
        String problem = FlightCsv.checkHeader(header);
        if (problem != null) {
            in.close();
            throw new IOException(sourceName + ":1: " + problem);
        }
        return new LineReader(in, sourceName);
    }

    @Override
    public TypeInformation<RowResult> getProducedType() {
        return TypeInformation.of(RowResult.class);
    }

    /**
     * Counts lines itself. It reports no checkpoint offset, so on recovery the file source
     * re-creates it at the start of the file and skips the records already emitted by reading them
     * through this reader, which keeps the count right.
     */
    private static final class LineReader implements Reader<RowResult> {
        private final BufferedReader in;
        private final String sourceName;
        private long line = 1;

        LineReader(BufferedReader in, String sourceName) {
            this.in = in;
            this.sourceName = sourceName;
        }

        @Override
        public RowResult read() throws IOException {
            String text = in.readLine();
            if (text == null) {
                return null;
            }
            line++;
            if (text.isBlank()) {
                return RowResult.rejected(sourceName, line, "empty line", text);
            }
            return FlightCsv.parse(sourceName, line, text);
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
