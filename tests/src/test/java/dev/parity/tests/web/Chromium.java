package dev.parity.tests.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Debian's headless Chromium driven over the DevTools protocol (a WebSocket, JDK client): one
 * browser process with a fresh profile, one page, {@link #navigate} and {@link #evaluate}. No
 * driver binary and no browser download: the test uses {@code /usr/bin/chromium} as installed by
 * apt.
 *
 * <pre>{@code
 * try (Chromium c = Chromium.start(Path.of("/usr/bin/chromium"), tmp)) {
 *     c.navigate("http://127.0.0.1:8000/");
 *     JsonNode v = c.evaluate("parity.ready.then(m => m.loadMillis)");
 * }
 * }</pre>
 */
public final class Chromium implements AutoCloseable {
    public static final Path DEFAULT = Path.of("/usr/bin/chromium");

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final Path profile;
    private final WebSocket socket;
    private final String session;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final List<String> console = new java.util.concurrent.CopyOnWriteArrayList<>();

    private Chromium(Process process, Path profile, WebSocket socket, Listener listener)
            throws Exception {
        this.process = process;
        this.profile = profile;
        this.socket = socket;
        listener.owner = this;
        String target =
                call(null, "Target.createTarget", Map.of("url", "about:blank"))
                        .path("targetId")
                        .asText();
        this.session =
                call(null, "Target.attachToTarget", Map.of("targetId", target, "flatten", true))
                        .path("sessionId")
                        .asText();
        call(session, "Page.enable", Map.of());
        call(session, "Runtime.enable", Map.of());
    }

    /** Starts the browser with a fresh profile under {@code work}. */
    public static Chromium start(Path binary, Path work) throws Exception {
        Path profile = Files.createTempDirectory(work, "chromium-profile-");
        Process p =
                new ProcessBuilder(
                                binary.toString(),
                                "--headless",
                                "--no-sandbox",
                                "--disable-gpu",
                                "--disable-quic",
                                "--no-first-run",
                                "--disable-background-networking",
                                "--disable-component-update",
                                "--disable-sync",
                                "--disable-dev-shm-usage",
                                "--disable-crash-reporter",
                                "--disable-breakpad",
                                "--user-data-dir=" + profile,
                                "--remote-debugging-address=127.0.0.1",
                                "--remote-debugging-port=0",
                                "about:blank")
                        .redirectErrorStream(true)
                        .redirectOutput(work.resolve("chromium.log").toFile())
                        .start();
        try {
            // Chromium writes the port it picked and the browser's WebSocket path here.
            Path active = profile.resolve("DevToolsActivePort");
            org.awaitility.Awaitility.await("chromium opens its DevTools port")
                    .atMost(java.time.Duration.ofSeconds(60))
                    .pollInterval(java.time.Duration.ofMillis(50))
                    .until(
                            () -> {
                                if (!p.isAlive()) {
                                    throw new IllegalStateException(
                                            "chromium exited with "
                                                    + p.exitValue()
                                                    + ": "
                                                    + Files.readString(
                                                            work.resolve("chromium.log")));
                                }
                                return Files.exists(active)
                                        && Files.readAllLines(active).size() >= 2;
                            });
            List<String> lines = Files.readAllLines(active);
            URI ws = URI.create("ws://127.0.0.1:" + lines.get(0).trim() + lines.get(1).trim());
            Listener listener = new Listener();
            WebSocket socket =
                    HttpClient.newHttpClient()
                            .newWebSocketBuilder()
                            .connectTimeout(Duration.ofSeconds(30))
                            .buildAsync(ws, listener)
                            .get(30, TimeUnit.SECONDS);
            return new Chromium(p, profile, socket, listener);
        } catch (Exception | Error e) {
            stop(p);
            throw e;
        }
    }

    /** Loads {@code url} and waits for its load event. */
    public void navigate(String url) throws Exception {
        CompletableFuture<JsonNode> loaded = new CompletableFuture<>();
        loadWaiter = loaded;
        JsonNode r = call(session, "Page.navigate", Map.of("url", url));
        if (r.has("errorText")) {
            throw new IllegalStateException("navigation to " + url + " failed: " + r);
        }
        loaded.get(60, TimeUnit.SECONDS);
    }

    private volatile CompletableFuture<JsonNode> loadWaiter;

    /** Evaluates {@code expression} in the page, awaiting a promise; its value as JSON. */
    public JsonNode evaluate(String expression) throws Exception {
        JsonNode r =
                call(
                        session,
                        "Runtime.evaluate",
                        Map.of(
                                "expression",
                                expression,
                                "awaitPromise",
                                true,
                                "returnByValue",
                                true));
        if (r.has("exceptionDetails")) {
            throw new IllegalStateException(
                    "page threw: "
                            + r.path("exceptionDetails").path("exception").path("description")
                            + " / "
                            + r.path("exceptionDetails").path("text")
                            + "; console: "
                            + console);
        }
        return r.path("result").path("value");
    }

    /** Console messages and exceptions the page logged so far. */
    public List<String> console() {
        return List.copyOf(console);
    }

    private JsonNode call(String sessionId, String method, Map<String, Object> params)
            throws Exception {
        int id = ids.incrementAndGet();
        ObjectNode msg = JSON.createObjectNode();
        msg.put("id", id);
        msg.put("method", method);
        msg.set("params", JSON.valueToTree(params));
        if (sessionId != null) {
            msg.put("sessionId", sessionId);
        }
        CompletableFuture<JsonNode> f = new CompletableFuture<>();
        pending.put(id, f);
        socket.sendText(JSON.writeValueAsString(msg), true).get(30, TimeUnit.SECONDS);
        JsonNode reply = f.get(5, TimeUnit.MINUTES);
        if (reply.has("error")) {
            throw new IllegalStateException(method + " failed: " + reply.get("error"));
        }
        return reply.path("result");
    }

    private void onMessage(String text) {
        JsonNode m;
        try {
            m = JSON.readTree(text);
        } catch (IOException e) {
            return;
        }
        if (m.has("id")) {
            CompletableFuture<JsonNode> f = pending.remove(m.get("id").asInt());
            if (f != null) {
                f.complete(m);
            }
            return;
        }
        String method = m.path("method").asText();
        if (method.equals("Page.loadEventFired") && loadWaiter != null) {
            loadWaiter.complete(m);
        } else if (method.equals("Runtime.consoleAPICalled")) {
            console.add(m.path("params").path("args").toString());
        } else if (method.equals("Runtime.exceptionThrown")) {
            console.add("exception: " + m.path("params").path("exceptionDetails").toString());
        }
    }

    /**
     * Stops the browser and all its helper processes (renderer, GPU, utility), then removes the
     * profile. The helpers outlive a killed parent for a moment and keep writing into the profile,
     * which made the caller's temporary directory fail to delete (seen in CI), so they are stopped
     * one by one and waited for before the profile goes.
     */
    @Override
    public void close() throws Exception {
        try {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "").get(5, TimeUnit.SECONDS);
        } catch (Exception ignored) {
            // the browser is stopped below either way
        }
        stop(process);
        deleteWithRetries(profile);
    }

    private static void stop(Process p) throws InterruptedException {
        List<ProcessHandle> all = new java.util.ArrayList<>(p.descendants().toList());
        all.add(p.toHandle());
        for (ProcessHandle h : all) {
            h.destroy();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (ProcessHandle h : all) {
            long left = deadline - System.nanoTime();
            try {
                h.onExit().get(Math.max(left, 1), TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.ExecutionException
                    | java.util.concurrent.TimeoutException e) {
                h.destroyForcibly();
            }
        }
        p.waitFor(10, TimeUnit.SECONDS);
    }

    /**
     * Removes {@code dir}, polling until a pass succeeds: a helper that was stopped may still be
     * releasing files in it for a moment.
     */
    private static void deleteWithRetries(Path dir) {
        org.awaitility.Awaitility.await("the Chromium profile " + dir + " is removed")
                .atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(250))
                .until(() -> tryDelete(dir));
    }

    /** One pass over {@code dir}, deepest first; whether it is gone. */
    private static boolean tryDelete(Path dir) {
        try (java.util.stream.Stream<Path> walk = Files.walk(dir)) {
            for (Path f : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
            return true;
        } catch (IOException | java.io.UncheckedIOException e) {
            return !Files.exists(dir);
        }
    }

    /** Reassembles fragmented text frames and hands whole messages to the owner. */
    private static final class Listener implements WebSocket.Listener {
        volatile Chromium owner;
        private final StringBuilder buf = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            buf.append(data);
            if (last) {
                String text = buf.toString();
                buf.setLength(0);
                if (owner != null) {
                    owner.onMessage(text);
                }
            }
            ws.request(1);
            return null;
        }
    }
}
