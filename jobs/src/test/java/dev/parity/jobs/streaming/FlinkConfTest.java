package dev.parity.jobs.streaming;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parity.jobs.config.KnownConfigKeys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every file in {@code flink-conf/} is read by Flink's own loader, and every key in it must be one
 * that Flink (on this classpath) or Parity declares, with a value its option can parse. Flink
 * itself ignores unknown keys, so without this test a typo would silently fall back to a default.
 */
class FlinkConfTest {
    private static final Path CONF_DIR = Path.of("..", "flink-conf");

    private static KnownConfigKeys known;

    @BeforeAll
    static void collectOptions() {
        known = KnownConfigKeys.fromClassPath();
        // sanity: the scan found Flink's core and RocksDB options
        assertThat(known.isKnown("execution.checkpointing.interval")).isTrue();
        assertThat(known.isKnown("state.backend.type")).isTrue();
        assertThat(known.isKnown("state.backend.rocksdb.timer-service.factory")).isTrue();
    }

    static List<Path> confDirs() throws IOException {
        List<Path> dirs = new ArrayList<>();
        try (Stream<Path> s = Files.walk(CONF_DIR)) {
            s.filter(p -> p.getFileName().toString().equals("config.yaml"))
                    .forEach(p -> dirs.add(p.getParent()));
        }
        return dirs;
    }

    @Test
    void everyKeyIsKnownAndEveryValueParses() throws Exception {
        List<Path> dirs = confDirs();
        assertThat(dirs).isNotEmpty();
        List<String> problems = new ArrayList<>();
        for (Path dir : dirs) {
            Configuration conf = GlobalConfiguration.loadConfiguration(dir.toString());
            assertThat(conf.toMap()).as(dir + " loaded").isNotEmpty();
            problems.addAll(known.problems(dir.toString(), conf));
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void aTypoIsCaught() throws Exception {
        Path dir = Files.createTempDirectory("conf");
        Files.writeString(
                dir.resolve("config.yaml"),
                "execution:\n  checkpointing:\n    intervall: 10s\nparity:\n  scoring:\n"
                        + "    max-batch: many\n");
        Configuration conf = GlobalConfiguration.loadConfiguration(dir.toString());
        assertThat(known.isKnown("execution.checkpointing.intervall")).isFalse();
        assertThat(known.isKnown("parity.scoring.max-batch")).isTrue();
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> conf.get(StreamingOptions.MAX_BATCH))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(known.problems("typo", conf))
                .containsExactly(
                        "typo: unknown key execution.checkpointing.intervall",
                        "typo: parity.scoring.max-batch: "
                                + problemOf(() -> conf.get(StreamingOptions.MAX_BATCH)));
    }

    private static String problemOf(Runnable r) {
        try {
            r.run();
            return "none";
        } catch (RuntimeException e) {
            return e.getMessage();
        }
    }

    @Test
    void productionConfigIsWhatTheDocsPromise() throws Exception {
        Configuration conf = GlobalConfiguration.loadConfiguration(CONF_DIR.toString());
        Map<String, String> flat = conf.toMap();
        assertThat(flat)
                .containsEntry("state.backend.type", "rocksdb")
                .containsEntry("execution.checkpointing.incremental", "true")
                .containsEntry("execution.checkpointing.mode", "EXACTLY_ONCE")
                .containsKey("execution.checkpointing.dir")
                .containsKey("execution.checkpointing.savepoint-dir");
        assertThat(flat.get("restart-strategy.type")).isNotEqualTo("fixed-delay-forever");
        assertThat(
                        Integer.parseInt(
                                flat.get(
                                        "restart-strategy.exponential-delay.attempts-before-reset-backoff")))
                .isLessThan(Integer.MAX_VALUE);
        assertThat(conf.get(StreamingOptions.TRANSACTION_TIMEOUT))
                .isLessThan(java.time.Duration.ofMinutes(15));
    }
}
