package dev.parity.features.io;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parity.features.events.FlightRow;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class FlightCsvTest {
    private static final String SRC = "flights.csv";

    private static RowResult parse(String text) {
        return FlightCsv.parse(SRC, 42, text);
    }

    private static void assertRejected(RowResult r, String... reasonParts) {
        assertThat(r.isValid()).as("%s", r).isFalse();
        assertThat(r.row).isNull();
        assertThat(r.source).isEqualTo(SRC);
        assertThat(r.line).isEqualTo(42);
        assertThat(r.reason).contains(reasonParts);
    }

    @Test
    void parsesAValidRow() {
        RowResult r = parse("3,2001-01-01T00:01:00Z,-4,2176,LAS,PHL");

        assertThat(r.isValid()).isTrue();
        assertThat(r.reason).isNull();
        assertThat(r.source).isEqualTo(SRC);
        assertThat(r.line).isEqualTo(42);
        assertThat(r.row)
                .isEqualTo(
                        new FlightRow(
                                3,
                                Instant.parse("2001-01-01T00:01:00Z").toEpochMilli(),
                                -4,
                                2176,
                                "LAS",
                                "PHL"));
    }

    @Test
    void acceptsMillisecondsAndSurroundingSpaces() {
        RowResult r = parse(" 3 , 2001-01-01T00:01:00.250Z ,5, 10 ,LAS, PHL\r");

        assertThat(r.isValid()).as("%s", r).isTrue();
        assertThat(r.row.depTime)
                .isEqualTo(Instant.parse("2001-01-01T00:01:00Z").toEpochMilli() + 250);
        assertThat(r.row.dest).isEqualTo("PHL");
    }

    @Test
    void formatRoundTrips() {
        FlightRow row =
                new FlightRow(
                        9,
                        Instant.parse("2001-02-03T04:05:06.007Z").toEpochMilli(),
                        -12,
                        300,
                        "ATL",
                        "SAV");

        assertThat(FlightCsv.format(row)).isEqualTo("9,2001-02-03T04:05:06.007Z,-12,300,ATL,SAV");
        assertThat(parse(FlightCsv.format(row)).row).isEqualTo(row);
    }

    @Test
    void rejectsABadDate() {
        String text = "3,2001-13-01 00:01,5,10,LAS,PHL";
        RowResult r = parse(text);

        assertRejected(r, "'date'", "2001-13-01 00:01");
        assertThat(r.raw).isEqualTo(text);
    }

    @Test
    void rejectsADateWithoutZone() {
        assertRejected(parse("3,2001-01-01T00:01:00,5,10,LAS,PHL"), "'date'");
    }

    @Test
    void rejectsAMissingField() {
        assertRejected(parse("3,2001-01-01T00:01:00Z,5,10,,PHL"), "missing field 'origin'");
        assertRejected(parse("3,2001-01-01T00:01:00Z,,10,LAS,PHL"), "missing field 'delay'");
        assertRejected(parse("3,2001-01-01T00:01:00Z,5,10,LAS, "), "missing field 'destination'");
    }

    @Test
    void rejectsANonNumericDelay() {
        assertRejected(parse("3,2001-01-01T00:01:00Z,5.5,10,LAS,PHL"), "'delay'", "'5.5'");
        assertRejected(parse("3,2001-01-01T00:01:00Z,NA,10,LAS,PHL"), "'delay'", "'NA'");
    }

    @Test
    void rejectsANonNumericIdOrDistance() {
        assertRejected(parse("x,2001-01-01T00:01:00Z,5,10,LAS,PHL"), "'id'");
        assertRejected(parse("3,2001-01-01T00:01:00Z,5,ten,LAS,PHL"), "'distance'");
    }

    @Test
    void rejectsANegativeDistance() {
        assertRejected(parse("3,2001-01-01T00:01:00Z,5,-10,LAS,PHL"), "'distance'", "-10");
    }

    @Test
    void rejectsANegativeId() {
        assertRejected(parse("-3,2001-01-01T00:01:00Z,5,10,LAS,PHL"), "'id'");
    }

    @Test
    void rejectsAWrongFieldCount() {
        assertRejected(parse("3,2001-01-01T00:01:00Z,5,10,LAS"), "expected 6 fields, got 5");
        assertRejected(parse("3,2001-01-01T00:01:00Z,5,10,LAS,PHL,"), "expected 6 fields, got 7");
    }

    @Test
    void validateNamesTheField() {
        FlightRow ok = new FlightRow(1, 0, 0, 0, "A", "B");
        assertThat(FlightCsv.validate(ok)).isNull();
        assertThat(FlightCsv.validate(new FlightRow(1, 0, 0, -1, "A", "B"))).contains("'distance'");
        assertThat(FlightCsv.validate(new FlightRow(-1, 0, 0, 1, "A", "B"))).contains("'id'");
        assertThat(FlightCsv.validate(new FlightRow(1, 0, 0, 1, null, "B"))).contains("'origin'");
        assertThat(FlightCsv.validate(new FlightRow(1, 0, 0, 1, "A", " ")))
                .contains("'destination'");
        assertThat(FlightCsv.validate(new FlightRow(1, 0, 0, 1, "A,C", "B"))).contains("','");
    }

    @Test
    void checksTheHeader() {
        assertThat(FlightCsv.checkHeader("id,date,delay,distance,origin,destination")).isNull();
        assertThat(FlightCsv.checkHeader("\uFEFFid,date,delay,distance,origin,destination\r"))
                .isNull();

        assertThat(FlightCsv.checkHeader("id,date,distance,delay,origin,destination"))
                .contains(FlightCsv.HEADER)
                .contains("id,date,distance,delay,origin,destination");
        assertThat(FlightCsv.checkHeader(null)).contains("expected header");
        assertThat(FlightCsv.checkHeader("")).contains("expected header");
    }
}
