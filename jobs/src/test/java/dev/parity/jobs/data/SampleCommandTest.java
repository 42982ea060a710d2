package dev.parity.jobs.data;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parity.jobs.ParityCli;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code parity sample}: the rows before a day, in the spec's field order, read back by the same
 * readers; rows the spec rejects are skipped and counted, and a failed run leaves no file.
 */
class SampleCommandTest {
    private static final String SPEC =
            "name: payments_v1\n"
                    + "events:\n"
                    + "  payment:\n"
                    + "    fields: {id: long, ts: timestamp, card: string, amount: double}\n"
                    + "    id: id\n"
                    + "    time: ts\n"
                    + "    required: [card]\n"
                    + "query: {event: payment, context: [amount]}\n"
                    + "features:\n"
                    + "  - {name: card_payments_1h, event: payment, key: [card], window: 1h,"
                    + " aggregation: count}\n";

    @TempDir Path dir;

    private Path write(String name, String text) throws Exception {
        return Files.writeString(dir.resolve(name), text, StandardCharsets.UTF_8);
    }

    /**
     * {@code parity sample} of {@code events} before 2026-01-02 into {@code out}; its exit code.
     */
    private static int sample(Path spec, Path events, Path out) {
        return ParityCli.execute(
                "sample",
                "--spec",
                spec.toString(),
                "--events",
                events.toString(),
                "--before",
                "2026-01-02",
                "--out",
                out.toString());
    }

    @Test
    void keepsTheRowsBeforeTheDayInTheSpecsFieldOrder() throws Exception {
        Path spec = write("payments.yaml", SPEC);
        // columns in another order, a quoted comma, a row the spec rejects, rows out of order
        Path events =
                write(
                        "payments.csv",
                        "amount,card,ts,id\n"
                                + "1.5,\"a, b\",2026-01-01T23:59:59.999Z,1\n"
                                + "2.0,c,2026-01-02T00:00:00Z,2\n"
                                + "3.0,,2026-01-01T08:00:00Z,3\n"
                                + "0.25,東京,2026-01-01T00:00:00Z,4\n");
        Path out = dir.resolve("out/sample.csv");
        int exit = sample(spec, events, out);
        assertThat(exit).isZero();
        assertThat(Files.readAllLines(out, StandardCharsets.UTF_8))
                .containsExactly(
                        "id,ts,card,amount",
                        "1,2026-01-01T23:59:59.999Z,\"a, b\",1.5",
                        "4,2026-01-01T00:00:00Z,東京,0.25");
        try (var files = Files.list(out.getParent())) {
            assertThat(files).containsExactly(out);
        }
    }

    @Test
    void aFileThatDoesNotFitTheSpecIsRefusedAndLeavesNothing() throws Exception {
        Path spec = write("payments.yaml", SPEC);
        Path events = write("payments.csv", "id,ts,card\n1,2026-01-01T00:00:00Z,a\n");
        Path out = dir.resolve("out/sample.csv");
        int exit = sample(spec, events, out);
        assertThat(exit).isEqualTo(2);
        assertThat(out).doesNotExist();
        assertThat(List.of(dir.toFile().list())).doesNotContain("out");
    }
}
