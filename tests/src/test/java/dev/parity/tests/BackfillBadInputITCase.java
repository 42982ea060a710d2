package dev.parity.tests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parity.features.reference.SampleData;
import dev.parity.jobs.ParityCli;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Malformed rows, late events and a wrong header, through the real backfill command. */
class BackfillBadInputITCase {
    @TempDir Path tmp;

    private List<String> sampleHead(int rows) throws IOException {
        return new ArrayList<>(
                Files.readAllLines(SampleData.path(), StandardCharsets.UTF_8).subList(0, rows + 1));
    }

    @Test
    void malformedRowsGoToRejectedWithLineAndReasonAndTheRunGoesOn() throws IOException {
        List<String> lines = sampleHead(500);
        // Inserted at fixed positions: line numbers are 1-based with the header as line 1.
        lines.add(11, "900001,2001-01-01T25:00:00Z,5,100,ORD,LAX"); // line 12: bad date
        lines.add(21, "900002,2001-01-01T01:00:00Z,5,,ORD,LAX"); // line 22: missing field
        lines.add(31, "900003,2001-01-01T01:00:00Z,late,100,ORD,LAX"); // line 32: not numeric
        lines.add(41, "900004,2001-01-01T01:00:00Z,5,-100,ORD,LAX"); // line 42: negative
        lines.add(51, "900005,2001-01-01T01:00:00.250Z,5,100,ORD,LAX"); // millis: valid
        Path csv = tmp.resolve("flights.csv");
        Files.write(csv, lines, StandardCharsets.UTF_8);
        Path out = tmp.resolve("out");

        int exit = run("--events", csv.toString(), "--out", out.toString());

        assertThat(exit).isZero();
        List<String> rejected = Files.readAllLines(out.resolve("rejected.csv"));
        assertThat(rejected).hasSize(5);
        assertThat(rejected.get(0)).isEqualTo("file,line,reason,raw");
        // the reasons of the one value check and of the flights spec's rules (docs/SPEC.md)
        assertThat(rejected.get(1))
                .startsWith(
                        "flights.csv,12,\"field 'date': expected an ISO-8601 instant like"
                                + " 2001-01-01T00:01:00Z or epoch milliseconds, got"
                                + " '2001-01-01T25:00:00Z'\"");
        assertThat(rejected.get(2)).startsWith("flights.csv,22,missing field 'distance'");
        assertThat(rejected.get(3)).startsWith("flights.csv,32,\"field 'delay': ");
        assertThat(rejected.get(3)).contains("'late'");
        assertThat(rejected.get(4))
                .startsWith(
                        "flights.csv,42,field 'distance' must not be negative: distance = -100,");
        List<String> features = Files.readAllLines(out.resolve("features.csv"));
        assertThat(features).hasSize(1 + 501);
        assertThat(features).anyMatch(l -> l.startsWith("900005,2001-01-01T01:00:00.250Z,ORD,"));
        assertThat(Files.readString(out.resolve("summary.json")))
                .contains("\"rows_in\": 505")
                .contains("\"rows_out\": 501")
                .contains("\"rejected_rows\": 4");
    }

    @Test
    void eventsBehindTheWatermarkAreReportedAsLateInStreamingMode() throws IOException {
        List<String> lines = sampleHead(2000);
        // A departure three hours behind the rows around it, with 5 minutes allowed lateness.
        String lateRow = "900010,2001-01-01T00:30:00Z,0,100,ORD,MDW";
        lines.add(1900, lateRow);
        Path csv = tmp.resolve("late.csv");
        Files.write(csv, lines, StandardCharsets.UTF_8);
        Path out = tmp.resolve("out");

        int exit =
                run(
                        "--events",
                        csv.toString(),
                        "--out",
                        out.toString(),
                        "--mode",
                        "streaming",
                        "--allowed-lateness",
                        "PT5M");

        assertThat(exit).isZero();
        List<String> late = Files.readAllLines(out.resolve("late.csv"));
        // Its departure is late; its arrival (00:30 + 30 + 12 min) is late as well.
        assertThat(late).hasSize(3);
        // Sorted by id, then by line: the arrival's line sorts first.
        assertThat(late.get(1)).startsWith("900010,arrival,2001-01-01T01:12:00Z,");
        assertThat(late.get(2)).startsWith("900010,departure,2001-01-01T00:30:00Z,");
        List<String> features = Files.readAllLines(out.resolve("features.csv"));
        assertThat(features).hasSize(1 + 2000).noneMatch(l -> l.startsWith("900010,"));
        assertThat(Files.readString(out.resolve("summary.json")))
                .contains("\"rows_in\": 2001")
                .contains("\"late_events\": 2");
    }

    @Test
    void aWrongHeaderFailsBeforeTheJobWithTheFileNamed() throws IOException {
        Path csv = tmp.resolve("bad-header.csv");
        Files.writeString(csv, "id,when,delay,distance,origin,destination\n1,x,1,1,A,B\n");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream old = System.err;
        int exit;
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            exit = run("--events", csv.toString(), "--out", tmp.resolve("o").toString());
        } finally {
            System.setErr(old);
        }
        assertThat(exit).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains(
                        "bad-header.csv:1: header does not match the source rows of spec"
                                + " flights_v1 (id, date, delay, distance, origin, destination):"
                                + " missing column(s) date; unknown column(s) when")
                .hasLineCount(1);
    }

    private static int run(String... args) {
        List<String> all = new ArrayList<>(List.of("backfill", "--progress-interval", "PT0S"));
        all.addAll(List.of(args));
        return ParityCli.execute(all.toArray(new String[0]));
    }
}
