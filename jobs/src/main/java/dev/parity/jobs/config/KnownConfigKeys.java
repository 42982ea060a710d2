package dev.parity.jobs.config;

import dev.parity.jobs.streaming.StreamingOptions;
import java.io.File;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Pattern;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.FallbackKey;

/**
 * The configuration keys that Flink (the {@code flink-*} jars on the class path) and Parity ({@link
 * StreamingOptions}) declare. Flink ignores keys it does not know, so a typo in {@code config.yaml}
 * or in a Kubernetes manifest silently falls back to a default; this catches it.
 *
 * <pre>{@code
 * KnownConfigKeys known = KnownConfigKeys.fromClassPath();
 * List<String> problems = known.problems("flink-conf/config.yaml", conf);
 * }</pre>
 */
public final class KnownConfigKeys {
    /** Keys whose middle part is a user-chosen name, e.g. metrics.reporter.prom.port. */
    private static final Pattern REPORTER_KEY =
            Pattern.compile(
                    "metrics\\.reporter\\.[a-zA-Z0-9_-]+\\.(factory\\.class|port|host|interval"
                            + "|scope\\.delimiter|scope\\.variables\\.excludes"
                            + "|filter\\.includes|filter\\.excludes)");

    private final Map<String, ConfigOption<?>> options;

    private KnownConfigKeys(Map<String, ConfigOption<?>> options) {
        this.options = Collections.unmodifiableMap(options);
    }

    /**
     * Scans every {@code flink-*.jar} on {@code java.class.path} for public static {@link
     * ConfigOption} fields of {@code org.apache.flink..*Options} classes (with their fallback
     * keys), plus Parity's {@link StreamingOptions}.
     */
    public static KnownConfigKeys fromClassPath() {
        Map<String, ConfigOption<?>> known = new HashMap<>();
        ClassLoader loader = KnownConfigKeys.class.getClassLoader();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (entry.endsWith(".jar") && new File(entry).getName().startsWith("flink-")) {
                scanJar(entry, loader, known);
            }
        }
        for (ConfigOption<?> o : StreamingOptions.all()) {
            known.put(o.key(), o);
        }
        if (!known.containsKey("execution.checkpointing.interval")) {
            throw new IllegalStateException(
                    "no flink-core jar on java.class.path: cannot tell which keys Flink knows");
        }
        return new KnownConfigKeys(known);
    }

    private static void scanJar(String jar, ClassLoader loader, Map<String, ConfigOption<?>> out) {
        try (JarFile f = new JarFile(jar)) {
            Enumeration<JarEntry> entries = f.entries();
            while (entries.hasMoreElements()) {
                String name = entries.nextElement().getName();
                if (name.startsWith("org/apache/flink/")
                        && name.endsWith("Options.class")
                        && !name.contains("$")) {
                    addOptions(name.substring(0, name.length() - 6).replace('/', '.'), loader, out);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + jar + ": " + e, e);
        }
    }

    private static void addOptions(
            String className, ClassLoader loader, Map<String, ConfigOption<?>> out) {
        try {
            Class<?> c = Class.forName(className, false, loader);
            for (Field f : c.getDeclaredFields()) {
                if (Modifier.isStatic(f.getModifiers())
                        && Modifier.isPublic(f.getModifiers())
                        && f.getType() == ConfigOption.class) {
                    ConfigOption<?> o = (ConfigOption<?>) f.get(null);
                    out.putIfAbsent(o.key(), o);
                    for (FallbackKey k : o.fallbackKeys()) {
                        out.putIfAbsent(k.getKey(), o);
                    }
                }
            }
        } catch (ClassNotFoundException | IllegalAccessException | LinkageError e) {
            // A class whose optional dependencies are missing here (or that cannot be
            // initialised) declares nothing a job on this class path could configure.
        }
    }

    /** The option declared under {@code key} (or a fallback key of it). */
    public Optional<ConfigOption<?>> option(String key) {
        return Optional.ofNullable(options.get(key));
    }

    /** Whether {@code key} is declared, or is a metrics reporter key with a user-chosen name. */
    public boolean isKnown(String key) {
        return options.containsKey(key) || REPORTER_KEY.matcher(key).matches();
    }

    /**
     * One line per unknown key or value its option cannot parse, each starting with {@code source};
     * empty when everything in {@code conf} is fine.
     */
    public List<String> problems(String source, Configuration conf) {
        List<String> problems = new ArrayList<>();
        for (String key : new TreeSet<>(conf.keySet())) {
            if (!isKnown(key)) {
                problems.add(source + ": unknown key " + key);
                continue;
            }
            ConfigOption<?> option = options.get(key);
            if (option == null) {
                continue;
            }
            try {
                conf.get(option);
            } catch (RuntimeException e) {
                problems.add(source + ": " + key + ": " + e.getMessage());
            }
        }
        return problems;
    }
}
