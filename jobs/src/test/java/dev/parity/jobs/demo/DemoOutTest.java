package dev.parity.jobs.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo's {@code --out}: run again on its own directory it replaces it without asking (the
 * README's {@code ./parity demo} works every time); any other non-empty directory only with {@code
 * --overwrite}.
 */
class DemoOutTest {
    @TempDir Path dir;

    private static DemoCommand demo(Path out, boolean overwrite) {
        DemoCommand d = new DemoCommand();
        d.out = out;
        d.overwrite = overwrite;
        return d;
    }

    private static List<String> entries(Path d) throws Exception {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aMissingOutIsCreatedAndMarked() throws Exception {
        Path out = dir.resolve("a/demo");
        assertThat(demo(out, false).prepareOut()).isEqualTo(dir.resolve("a"));
        assertThat(entries(out)).containsExactly(DemoCommand.MARKER);
    }

    @Test
    void anEarlierDemosOutIsReplacedWithoutOverwrite() throws Exception {
        Path out = dir.resolve("demo");
        DemoCommand earlier = demo(out, false);
        earlier.prepareOut();
        earlier.releaseOut(); // it ended
        Files.createDirectories(out.resolve("backfill"));
        Files.writeString(out.resolve("backfill/predictions.csv"), "old");
        Files.writeString(out.resolve("requests.csv"), "old");

        assertThat(demo(out, false).prepareOut()).isNull();
        assertThat(entries(out)).containsExactly(DemoCommand.MARKER);
    }

    @Test
    void anotherNonEmptyDirectoryNeedsOverwrite() throws Exception {
        Path out = Files.createDirectory(dir.resolve("mine"));
        Files.writeString(out.resolve("notes.txt"), "keep me");
        assertThatThrownBy(() -> demo(out, false).prepareOut())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "--out " + out + " is not empty; pass --overwrite to replace its contents");
        assertThat(entries(out)).containsExactly("notes.txt");

        demo(out, true).prepareOut();
        assertThat(entries(out)).containsExactly(DemoCommand.MARKER);
    }

    @Test
    void aSecondDemoAtTheSameTimeDoesNotTakeTheFirstOnesOut() throws Exception {
        Path out = dir.resolve("demo");
        DemoCommand first = demo(out, false);
        first.prepareOut(); // holds the lock while it runs
        Files.writeString(out.resolve("requests.csv"), "the first demo's");

        assertThatThrownBy(() -> demo(out, false).prepareOut())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "--out " + out + " is in use by a demo running now; pass another --out");
        assertThat(entries(out)).containsExactly(DemoCommand.MARKER, "requests.csv");
        // the default --out moves on to the next free directory
        assertThat(DemoCommand.firstFree(out)).isEqualTo(dir.resolve("demo-2"));
        assertThat(DemoCommand.firstFree(dir.resolve("other"))).isEqualTo(dir.resolve("other"));
    }
}
