package dev.parity.jobs.streaming;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.FallbackKey;
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

    /** Keys whose middle part is a user-chosen name, e.g. metrics.reporter.prom.port. */
    private static final Pattern REPORTER_KEY =
            Pattern.compile(
                    "metrics\\.reporter\\.[a-zA-Z0-9_-]+\\.(factory\\.class|port|interval|scope\\.delimiter|filter\\.includes|filter\\.excludes)");

    private static Map<String, ConfigOption<?>> known;

    @BeforeAll
    static void collectOptions() throws Exception {
        known = new HashMap<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (entry.endsWith(".jar") && new File(entry).getName().startsWith("flink-")) {
                scanJar(entry);
            }
        }
        for (ConfigOption<?> o : StreamingOptions.all()) {
            known.put(o.key(), o);
        }
        // sanity: the scan found Flink's core and RocksDB options
        assertThat(known).containsKeys("execution.checkpointing.interval", "state.backend.type");
        assertThat(known).containsKey("state.backend.rocksdb.timer-service.factory");
    }

    private static void scanJar(String jar) throws IOException {
        try (JarFile f = new JarFile(jar)) {
            Enumeration<JarEntry> entries = f.entries();
            while (entries.hasMoreElements()) {
                String name = entries.nextElement().getName();
                if (name.startsWith("org/apache/flink/")
                        && name.endsWith("Options.class")
                        && !name.contains("$")) {
                    addOptions(name.substring(0, name.length() - 6).replace('/', '.'));
                }
            }
        }
    }

    private static void addOptions(String className) {
        try {
            Class<?> c = Class.forName(className, false, FlinkConfTest.class.getClassLoader());
            for (Field f : c.getDeclaredFields()) {
                if (Modifier.isStatic(f.getModifiers())
                        && Modifier.isPublic(f.getModifiers())
                        && f.getType() == ConfigOption.class) {
                    ConfigOption<?> o = (ConfigOption<?>) f.get(null);
                    known.putIfAbsent(o.key(), o);
                    for (FallbackKey k : o.fallbackKeys()) {
                        known.putIfAbsent(k.getKey(), o);
                    }
                }
            }
        } catch (Throwable e) {
            // a class this classpath cannot initialise declares nothing we can check
        }
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
            Map<String, String> flat = conf.toMap();
            assertThat(flat).as(dir + " loaded").isNotEmpty();
            for (String key : flat.keySet()) {
                ConfigOption<?> option = known.get(key);
                if (option == null) {
                    if (!REPORTER_KEY.matcher(key).matches()) {
                        problems.add(dir + ": unknown key " + key);
                    }
                    continue;
                }
                try {
                    conf.get(option);
                } catch (RuntimeException e) {
                    problems.add(dir + ": " + key + ": " + e.getMessage());
                }
            }
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
        assertThat(known).doesNotContainKey("execution.checkpointing.intervall");
        assertThat(known).containsKey("parity.scoring.max-batch");
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> conf.get(StreamingOptions.MAX_BATCH))
                .isInstanceOf(IllegalArgumentException.class);
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
