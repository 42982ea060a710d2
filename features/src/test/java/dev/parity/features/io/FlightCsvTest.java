package dev.parity.features.io;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parity.features.events.FlightRow;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class FlightCsvTest {
    private static RowResult parse(String line) {
        return FlightCsv.parse("f.csv", 7, line);
    }

    @Test
    void aValidRowWithOrWithoutMilliseconds() {
        RowResult r = parse("12,2001-01-01T00:01:00Z,-3,215,ATL,SAV");
        assertThat(r.isValid()).isTrue();
        assertThat(r.row)
                .isEqualTo(
                        new FlightRow(
                                12,
                                Instant.parse("2001-01-01T00:01:00Z").toEpochMilli(),
                                -3,
                                215,
                                "ATL",
                                "SAV"));
        assertThat(parse("12,2001-01-01T00:01:00.250Z,-3,215,ATL,SAV").row.depTime % 1000)
                .isEqualTo(250);
        assertThat(FlightCsv.format(r.row)).isEqualTo("12,2001-01-01T00:01:00Z,-3,215,ATL,SAV");
    }

    @Test
    void rejectionsNameTheFieldAndKeepThePosition() {
        assertThat(parse("1,2001-13-01T00:00:00Z,1,1,A,B").reason)
                .startsWith("field 'date' is not an ISO-8601 instant");
        assertThat(parse("1,,1,1,A,B").reason).isEqualTo("missing field 'date'");
        assertThat(parse("1,2001-01-01T00:00:00Z,x,1,A,B").reason)
                .isEqualTo("field 'delay' is not an integer: 'x'");
        assertThat(parse("1,2001-01-01T00:00:00Z,1,-4,A,B").reason)
                .isEqualTo("field 'distance' must not be negative, got -4");
        assertThat(parse("1,2001-01-01T00:00:00Z,1,4,A").reason)
                .isEqualTo("expected 6 fields, got 5");
        RowResult bad = parse("1,2001-01-01T00:00:00Z,1,4,A");
        assertThat(bad.line).isEqualTo(7);
        assertThat(bad.source).isEqualTo("f.csv");
        assertThat(bad.raw).isEqualTo("1,2001-01-01T00:00:00Z,1,4,A");
    }

    @Test
    void headerCheck() {
        assertThat(FlightCsv.checkHeader("id,date,delay,distance,origin,destination")).isNull();
        assertThat(FlightCsv.checkHeader("\uFEFFid,date,delay,distance,origin,destination"))
                .isNull();
        assertThat(FlightCsv.checkHeader("id,date")).startsWith("expected header");
        assertThat(FlightCsv.checkHeader(null)).startsWith("expected header");
    }
}
