package dev.parity.jobs.backfill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parity.features.engine.SpecPlan;
import dev.parity.features.spec.FeatureSpec;
import dev.parity.jobs.ParityCli;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code parity backfill --out}: a path that cannot be a directory is one line naming the option,
 * the path and the reason (exit 2, no stack trace, nothing written); a non-empty directory is
 * refused unless {@code --overwrite}, which replaces its contents only once the run has succeeded;
 * a failed run leaves neither a directory it created nor its part files.
 */
class BackfillOutTest {
    private static final String SPEC =
            "name: payments_v1\n"
                    + "events:\n"
                    + "  payment:\n"
                    + "    fields: {id: long, ts: timestamp, card: string, amount: double}\n"
                    + "    id: id\n"
                    + "    time: ts\n"
                    + "query: {event: payment, context: [amount]}\n"
                    + "features:\n"
                    + "  - {name: card_payments_1h, event: payment, key: [card], window: 1h,"
                    + " aggregation: count}\n";

    private static final String EVENTS =
            "id,ts,card,amount\n"
                    + "1,2026-01-01T10:00:00Z,c1,1.0\n"
                    + "2,2026-01-01T10:30:00Z,c1,2.0\n";

    @TempDir Path dir;

    private Path spec;
    private Path events;
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream originalErr;

    @BeforeEach
    void setUp() throws Exception {
        spec = Files.writeString(dir.resolve("payments.yaml"), SPEC);
        events = Files.writeString(dir.resolve("payments.csv"), EVENTS);
        originalErr = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        System.setErr(originalErr);
    }

    private int backfill(Path out, String... more) {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "backfill",
                                "--spec",
                                spec.toString(),
                                "--events",
                                events.toString(),
                                "--out",
                                out.toString(),
                                "--progress-interval",
                                "PT0S"));
        args.addAll(List.of(more));
        return ParityCli.execute(args.toArray(new String[0]));
    }

    /** The one line on stderr, checked to be exactly one and without a stack trace. */
    private String errorLine() {
        List<String> lines = err.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines).hasSize(1);
        return lines.get(0);
    }

    private static List<String> entries(Path d) throws Exception {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void anOutThatIsARegularFileIsOneLineAndExit2() throws Exception {
        Path file = Files.writeString(dir.resolve("taken"), "mine");
        assertThat(backfill(file)).isEqualTo(2);
        assertThat(errorLine()).isEqualTo("error: --out " + file + " is a file, not a directory");
        assertThat(Files.readString(file)).isEqualTo("mine");
    }

    @Test
    void anOutUnderARegularFileCannotBeCreated() throws Exception {
        Path file = Files.writeString(dir.resolve("taken"), "mine");
        Path out = file.resolve("sub/out");
        assertThat(backfill(out)).isEqualTo(2);
        assertThat(errorLine())
                .isEqualTo(
                        "error: --out "
                                + out
                                + " cannot be created: "
                                + file
                                + " is a file, not a directory");
    }

    @Test
    void anOutThatIsNotWritableIsOneLineAndExit2() throws Exception {
        Assumptions.assumeFalse(
                "root".equals(System.getProperty("user.name")), "root ignores file permissions");
        Path out = Files.createDirectory(dir.resolve("locked"));
        File f = out.toFile();
        assertThat(f.setWritable(false)).isTrue();
        try {
            assertThat(backfill(out)).isEqualTo(2);
            assertThat(errorLine()).isEqualTo("error: --out " + out + " is not writable");
            Path below = out.resolve("new");
            err.reset();
            assertThat(backfill(below)).isEqualTo(2);
            assertThat(errorLine())
                    .isEqualTo(
                            "error: --out "
                                    + below
                                    + " cannot be created: "
                                    + out
                                    + " is not writable");
        } finally {
            f.setWritable(true);
        }
    }

    @Test
    void aNonEmptyOutIsRefusedAndLeftAsItWas() throws Exception {
        Path out = Files.createDirectory(dir.resolve("out"));
        Files.writeString(out.resolve("notes.txt"), "keep me");
        assertThat(backfill(out)).isEqualTo(2);
        assertThat(errorLine())
                .isEqualTo(
                        "error: --out "
                                + out
                                + " is not empty; pass --overwrite to replace its contents");
        assertThat(entries(out)).containsExactly("notes.txt");
    }

    @Test
    void anEmptyExistingOutIsUsed() throws Exception {
        Path out = Files.createDirectory(dir.resolve("out"));
        assertThat(backfill(out)).as(err.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(entries(out))
                .containsExactly(
                        "features.csv",
                        "incomplete.csv",
                        "late.csv",
                        "rejected.csv",
                        "summary.json");
    }

    @Test
    void overwriteReplacesTheOldContentsWithTheNewRunsFilesOnly() throws Exception {
        Path out = dir.resolve("out");
        assertThat(backfill(out)).as(err.toString(StandardCharsets.UTF_8)).isZero();
        Files.writeString(out.resolve("notes.txt"), "old");
        Files.createDirectories(out.resolve("old-dir/deep"));
        Files.writeString(out.resolve("features.csv"), "stale");

        assertThat(backfill(out, "--overwrite")).as(err.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(entries(out))
                .containsExactly(
                        "features.csv",
                        "incomplete.csv",
                        "late.csv",
                        "rejected.csv",
                        "summary.json");
        assertThat(Files.readAllLines(out.resolve("features.csv")))
                .containsExactly("id,amount,card_payments_1h", "1,1.0,0", "2,2.0,1");
    }

    @Test
    void aRefusedRunWithOverwriteKeepsTheOldContents() throws Exception {
        Path out = Files.createDirectory(dir.resolve("out"));
        Files.writeString(out.resolve("features.csv"), "an earlier result");
        Files.writeString(events, EVENTS.replace("card,amount", "crd,amount"));
        assertThat(backfill(out, "--overwrite")).isEqualTo(2);
        assertThat(errorLine()).contains("payments.csv:1").contains("missing column(s) card");
        assertThat(entries(out)).containsExactly("features.csv");
        assertThat(Files.readString(out.resolve("features.csv"))).isEqualTo("an earlier result");
    }

    @Test
    void aRefusedRunLeavesNoDirectory() throws Exception {
        Files.writeString(events, EVENTS.replace("card,amount", "crd,amount"));
        assertThat(backfill(dir.resolve("a/b/out"))).isEqualTo(2);
        assertThat(dir.resolve("a")).doesNotExist();
    }

    /** A console that fails once the job is set up: a failure after --out was created. */
    private static PrintStream failingConsole() {
        return new PrintStream(new ByteArrayOutputStream()) {
            @Override
            public void print(String s) {
                throw new IllegalStateException("console failed");
            }
        };
    }

    private Backfill.Builder api(Path out) throws Exception {
        return Backfill.builder(SpecPlan.of(FeatureSpec.load(spec)))
                .events(List.of(events.toString()))
                .out(out)
                .progressInterval(Duration.ZERO)
                .console(failingConsole());
    }

    @Test
    void aRunThatFailsLeavesNoDirectoryItCreatedAndNoPartFiles() throws Exception {
        Path out = dir.resolve("a/b/out");
        Backfill backfill = api(out).build();
        assertThatThrownBy(backfill::run).hasMessage("console failed");
        assertThat(dir.resolve("a")).doesNotExist();

        Path existing = Files.createDirectory(dir.resolve("existing"));
        assertThatThrownBy(api(existing).build()::run).hasMessage("console failed");
        assertThat(entries(existing)).isEmpty();
    }

    @Test
    void aRunThatFailsWithOverwriteKeepsTheOldContentsAndNoStaging() throws Exception {
        Path out = Files.createDirectory(dir.resolve("out"));
        Files.writeString(out.resolve("features.csv"), "an earlier result");
        assertThatThrownBy(api(out).overwrite(true).build()::run).hasMessage("console failed");
        assertThat(entries(out)).containsExactly("features.csv");
        assertThat(Files.readString(out.resolve("features.csv"))).isEqualTo("an earlier result");
    }

    @Test
    void theBuilderValidatesOutAndNamesTheOption() throws Exception {
        Path out = Files.createDirectory(dir.resolve("out"));
        Files.writeString(out.resolve("x"), "x");
        assertThatThrownBy(() -> api(out).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "--out " + out + " is not empty; pass --overwrite to replace its contents");
        assertThat(api(out).overwrite(true).build()).isNotNull();
    }
}
