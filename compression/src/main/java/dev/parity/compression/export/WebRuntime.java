package dev.parity.compression.export;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The onnxruntime-web files the exported page loads, from npm at export time: a pinned {@code
 * package.json} and {@code package-lock.json} (shipped as resources, integrity hashes included) are
 * installed once with {@code npm ci} into a cache directory ({@code $PARITY_CACHE_DIR}, default
 * {@code ~/.cache/parity}), and the WebAssembly build's files are copied next to the page. Nothing
 * of onnxruntime-web is committed or downloaded by the page itself (no CDN).
 */
public final class WebRuntime {
    /** The pinned version; the lock file in the resources pins the same. */
    public static final String VERSION = "1.24.1";

    /** Files the page needs: the wasm-only bundle, its loader module and the SIMD binary. */
    static final List<String> FILES =
            List.of("ort.wasm.min.js", "ort-wasm-simd-threaded.mjs", "ort-wasm-simd-threaded.wasm");

    private static final String RESOURCES = "/dev/parity/compression/export/npm/";

    private final Path cacheRoot;

    private WebRuntime(Path cacheRoot) {
        this.cacheRoot = cacheRoot;
    }

    /** Installs into {@code $PARITY_CACHE_DIR} (default {@code ~/.cache/parity}) when needed. */
    public static WebRuntime fromNpm() {
        String env = System.getenv("PARITY_CACHE_DIR");
        Path root =
                env != null && !env.isBlank()
                        ? Path.of(env)
                        : Path.of(System.getProperty("user.home"), ".cache", "parity");
        return new WebRuntime(root);
    }

    /** With an explicit cache directory (tests). */
    public static WebRuntime cachedIn(Path cacheRoot) {
        return new WebRuntime(cacheRoot);
    }

    public String version() {
        return VERSION;
    }

    /** Copies the runtime files (and onnxruntime-web's license) into {@code dir}. */
    public void copyInto(Path dir) throws IOException {
        Path pkg = installed();
        Files.createDirectories(dir);
        for (String f : FILES) {
            Path src = pkg.resolve("dist").resolve(f);
            if (!Files.isRegularFile(src)) {
                throw new IllegalStateException(
                        "onnxruntime-web@" + VERSION + " has no dist/" + f + " in " + pkg);
            }
            Files.copy(src, dir.resolve(f), StandardCopyOption.REPLACE_EXISTING);
        }
        for (String license : List.of("LICENSE", "LICENSE.txt", "README.md")) {
            Path src = pkg.resolve(license);
            if (Files.isRegularFile(src)) {
                Files.copy(
                        src,
                        dir.resolve("onnxruntime-web-" + license),
                        StandardCopyOption.REPLACE_EXISTING);
                break;
            }
        }
    }

    /** The installed package directory, after {@code npm ci} if it is not there yet. */
    Path installed() throws IOException {
        Path home = cacheRoot.resolve("onnxruntime-web-" + VERSION);
        Path pkg = home.resolve("node_modules").resolve("onnxruntime-web");
        if (versionOf(pkg).equals(VERSION)) {
            return pkg;
        }
        Files.createDirectories(cacheRoot);
        Path work = Files.createTempDirectory(cacheRoot, ".onnxruntime-web-");
        try {
            for (String f : List.of("package.json", "package-lock.json")) {
                try (InputStream in = WebRuntime.class.getResourceAsStream(RESOURCES + f)) {
                    if (in == null) {
                        throw new IllegalStateException("resource " + RESOURCES + f + " missing");
                    }
                    Files.copy(in, work.resolve(f));
                }
            }
            npmCi(work);
            if (!versionOf(work.resolve("node_modules").resolve("onnxruntime-web"))
                    .equals(VERSION)) {
                throw new IllegalStateException(
                        "npm ci did not install onnxruntime-web@" + VERSION + " in " + work);
            }
            ModelExport.deleteTree(home);
            Files.move(work, home, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            ModelExport.deleteTree(work);
        }
        return pkg;
    }

    private static void npmCi(Path dir) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(npm(), "ci"));
        cmd.addAll(List.of("--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"));
        Process p;
        try {
            p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "--target web needs npm on the PATH to install onnxruntime-web@"
                            + VERSION
                            + " (it is copied into the page, never loaded from a CDN): "
                            + e.getMessage());
        }
        byte[] log;
        try (InputStream in = p.getInputStream()) {
            log = in.readAllBytes();
        }
        try {
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IllegalStateException("npm ci did not finish in 10 minutes");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while npm ci ran", e);
        }
        if (p.exitValue() != 0) {
            String text = new String(log, StandardCharsets.UTF_8).strip();
            throw new IllegalStateException(
                    "npm ci for onnxruntime-web@"
                            + VERSION
                            + " failed (exit "
                            + p.exitValue()
                            + "): "
                            + text.substring(Math.max(0, text.length() - 2000)));
        }
    }

    private static String npm() {
        return System.getProperty("os.name").toLowerCase().contains("win") ? "npm.cmd" : "npm";
    }

    private static String versionOf(Path pkg) throws IOException {
        Path json = pkg.resolve("package.json");
        if (!Files.isRegularFile(json)) {
            return "";
        }
        JsonNode n = new ObjectMapper().readTree(json.toFile());
        return n.path("version").asText("");
    }
}
