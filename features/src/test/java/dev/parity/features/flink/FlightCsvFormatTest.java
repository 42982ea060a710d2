package dev.parity.features.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parity.features.io.RowResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.reader.StreamFormat;
import org.apache.flink.core.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FlightCsvFormatTest {
    @TempDir Path tmp;

    private List<RowResult> read(Path file) throws Exception {
        org.apache.flink.core.fs.Path p = new org.apache.flink.core.fs.Path(file.toUri());
        FileSystem fs = p.getFileSystem();
        long len = fs.getFileStatus(p).getLen();
        List<RowResult> out = new ArrayList<>();
        try (StreamFormat.Reader<RowResult> reader =
                new FlightCsvFormat(file.getFileName().toString())
                        .createReader(new Configuration(), fs.open(p), len, len)) {
            RowResult r;
            while ((r = reader.read()) != null) {
                out.add(r);
            }
        }
        return out;
    }

    @Test
    void lineNumbersAreExactAndBadLinesDoNotStopTheFile() throws Exception {
        Path csv = tmp.resolve("in.csv");
        Files.writeString(
                csv,
                "id,date,delay,distance,origin,destination\n"
                        + "0,2001-01-01T00:01:00Z,33,2176,LAS,PHL\n"
                        + "\n"
                        + "2,yesterday,1,1,A,B\n"
                        + "3,2001-01-01T00:02:00Z,1,1,A,B\n");
        List<RowResult> rows = read(csv);
        assertThat(rows).extracting(r -> r.line).containsExactly(2L, 3L, 4L, 5L);
        assertThat(rows).extracting(RowResult::isValid).containsExactly(true, false, false, true);
        assertThat(rows.get(1).reason).isEqualTo("empty line");
        assertThat(rows.get(2).reason).startsWith("field 'date'");
    }

    @Test
    void aWrongHeaderFailsTheFileNamingIt() throws Exception {
        Path csv = tmp.resolve("wrong.csv");
        Files.writeString(csv, "a,b,c\n1,2,3\n");
        assertThatThrownBy(() -> read(csv)).hasMessageStartingWith("wrong.csv:1: expected header");
    }
}
