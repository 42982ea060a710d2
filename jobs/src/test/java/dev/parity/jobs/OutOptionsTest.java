package dev.parity.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --out} of {@code sample} (a file), {@code baseline} (a registry directory) and {@code
 * demo} (a directory of its own): a path that cannot be used is one line naming the option, the
 * path and the reason, exit 2, nothing written.
 */
class OutOptionsTest {
    @TempDir Path dir;

    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream originalErr;

    @BeforeEach
    void capture() {
        originalErr = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        System.setErr(originalErr);
    }

    private String errorLine() {
        List<String> lines = err.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines).hasSize(1);
        return lines.get(0);
    }

    private Path events() throws Exception {
        return Files.writeString(
                dir.resolve("flights.csv"),
                "id,date,delay,distance,origin,destination\n"
                        + "1,2001-01-01T00:01:00Z,5,100,ORD,LAX\n");
    }

    private static List<String> entries(Path d) throws Exception {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void sampleRefusesADirectoryAsItsOutFile() throws Exception {
        Path out = Files.createDirectory(dir.resolve("out"));
        int exit =
                ParityCli.execute(
                        "sample",
                        "--events",
                        events().toString(),
                        "--before",
                        "2001-01-02",
                        "--out",
                        out.toString());
        assertThat(exit).isEqualTo(2);
        assertThat(errorLine())
                .isEqualTo("error: --out " + out + " is a directory; expected a file to write");
        assertThat(entries(out)).isEmpty();
    }

    @Test
    void sampleRefusesAnOutUnderARegularFile() throws Exception {
        Path file = Files.writeString(dir.resolve("taken"), "mine");
        Path out = file.resolve("sample.csv");
        int exit =
                ParityCli.execute(
                        "sample",
                        "--events",
                        events().toString(),
                        "--before",
                        "2001-01-02",
                        "--out",
                        out.toString());
        assertThat(exit).isEqualTo(2);
        assertThat(errorLine())
                .isEqualTo(
                        "error: --out "
                                + out
                                + " cannot be written: "
                                + file
                                + " is a file, not a directory");
    }

    @Test
    void aSampleThatFailsLeavesNoDirectoryItCreated() throws Exception {
        Path bad = Files.writeString(dir.resolve("bad.csv"), "id,when\n1,x\n");
        int exit =
                ParityCli.execute(
                        "sample",
                        "--events",
                        bad.toString(),
                        "--before",
                        "2001-01-02",
                        "--out",
                        dir.resolve("a/b/sample.csv").toString());
        assertThat(exit).isEqualTo(2);
        assertThat(dir.resolve("a")).doesNotExist();
    }

    @Test
    void baselineRefusesARegularFileAsItsRegistry() throws Exception {
        Path features = Files.writeString(dir.resolve("features.csv"), "id\n");
        Path file = Files.writeString(dir.resolve("registry"), "mine");
        int exit =
                ParityCli.execute(
                        "baseline", "--features", features.toString(), "--out", file.toString());
        assertThat(exit).isEqualTo(2);
        assertThat(errorLine()).isEqualTo("error: --out " + file + " is a file, not a directory");
        assertThat(Files.readString(file)).isEqualTo("mine");
    }

    @Test
    void demoRefusesANonEmptyOutThatIsNotAnEarlierDemosAndARegularFile() throws Exception {
        Path out = Files.createDirectory(dir.resolve("mine"));
        Files.writeString(out.resolve("notes.txt"), "keep me");
        assertThat(ParityCli.execute("demo", "--out", out.toString())).isEqualTo(2);
        assertThat(errorLine())
                .isEqualTo(
                        "error: --out "
                                + out
                                + " is not empty; pass --overwrite to replace its contents");
        assertThat(entries(out)).containsExactly("notes.txt");

        err.reset();
        Path file = out.resolve("notes.txt");
        assertThat(ParityCli.execute("demo", "--out", file.toString())).isEqualTo(2);
        assertThat(errorLine()).isEqualTo("error: --out " + file + " is a file, not a directory");
    }
}
