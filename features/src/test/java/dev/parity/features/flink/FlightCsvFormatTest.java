package dev.parity.features.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parity.features.events.FlightRow;
import dev.parity.features.io.RowResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.reader.StreamFormat;
import org.apache.flink.core.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FlightCsvFormatTest {
    @TempDir java.nio.file.Path dir;

    private java.nio.file.Path file(String name, String content) throws IOException {
        java.nio.file.Path f = dir.resolve(name);
        Files.writeString(f, content, StandardCharsets.UTF_8);
        return f;
    }

    private static StreamFormat.Reader<RowResult> open(java.nio.file.Path file) throws IOException {
        Path path = new Path(file.toUri());
        return new FlightCsvFormat(path.getName())
                .createReader(new Configuration(), path.getFileSystem().open(path));
    }

    private static List<RowResult> readAll(java.nio.file.Path file) throws IOException {
        List<RowResult> out = new ArrayList<>();
        try (StreamFormat.Reader<RowResult> reader = open(file)) {
            RowResult r;
            while ((r = reader.read()) != null) {
                out.add(r);
            }
        }
        return out;
    }

    @Test
    void numbersLinesFromOneWithTheHeaderAsLineOne() throws IOException {
        java.nio.file.Path f =
                file(
                        "flights.csv",
                        "id,date,delay,distance,origin,destination\n"
                                + "0,2001-01-01T00:01:00Z,5,740,ORD,JFK\n" // line 2
                                + "1,2001-01-01T00:02:00Z,x,740,ORD,JFK\n" // 3: bad delay
                                + "\n" // 4: empty
                                + "3,2001-01-01T00:03:00Z,5,-1,ORD,JFK\n" // 5: negative distance
                                + "4,2001-01-01T00:04:00Z,5,740,ORD\n" // 6: 5 fields
                                + "5,not-a-date,5,740,ORD,JFK\n" // 7: bad date
                                + "6,2001-01-01T00:06:00Z,-2,16,ATL,SAV\n"); // 8

        List<RowResult> rows = readAll(f);

        assertThat(rows).extracting(r -> r.line).containsExactly(2L, 3L, 4L, 5L, 6L, 7L, 8L);
        assertThat(rows).allSatisfy(r -> assertThat(r.source).isEqualTo("flights.csv"));
        assertThat(rows)
                .extracting(RowResult::isValid)
                .containsExactly(true, false, false, false, false, false, true);
        assertThat(rows.get(0).row)
                .isEqualTo(
                        new FlightRow(
                                0,
                                Instant.parse("2001-01-01T00:01:00Z").toEpochMilli(),
                                5,
                                740,
                                "ORD",
                                "JFK"));
        assertThat(rows.get(1).reason).contains("'delay'");
        assertThat(rows.get(2).reason).isEqualTo("empty line");
        assertThat(rows.get(3).reason).contains("'distance'");
        assertThat(rows.get(4).reason).contains("expected 6 fields, got 5");
        assertThat(rows.get(5).reason).contains("'date'");
        assertThat(rows.get(5).raw).isEqualTo("5,not-a-date,5,740,ORD,JFK");
        assertThat(rows.get(6).row.id).isEqualTo(6);
    }

    @Test
    void acceptsWindowsLineEndingsAndAByteOrderMark() throws IOException {
        java.nio.file.Path f =
                file(
                        "bom.csv",
                        "\uFEFFid,date,delay,distance,origin,destination\r\n"
                                + "0,2001-01-01T00:01:00Z,5,740,ORD,JFK\r\n"
                                + "1,2001-01-01T00:02:00Z,5,740,ORD,JFK\r\n");

        List<RowResult> rows = readAll(f);

        assertThat(rows).extracting(r -> r.line).containsExactly(2L, 3L);
        assertThat(rows).allSatisfy(r -> assertThat(r.isValid()).as("%s", r).isTrue());
        assertThat(rows.get(1).row.dest).isEqualTo("JFK");
    }

    @Test
    void headerOnlyFileHasNoRows() throws IOException {
        assertThat(readAll(file("empty.csv", "id,date,delay,distance,origin,destination\n")))
                .isEmpty();
    }

    @Test
    void badHeaderFailsTheFileNamingIt() throws IOException {
        java.nio.file.Path f =
                file(
                        "swapped.csv",
                        "id,date,distance,delay,origin,destination\n"
                                + "0,2001-01-01T00:01:00Z,740,5,ORD,JFK\n");

        assertThatThrownBy(() -> open(f))
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith("swapped.csv:1: ")
                .hasMessageContaining("id,date,delay,distance,origin,destination");
    }

    @Test
    void emptyFileFailsNamingIt() throws IOException {
        java.nio.file.Path f = file("nothing.csv", "");

        assertThatThrownBy(() -> open(f))
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith("nothing.csv:1: ");
    }
}
