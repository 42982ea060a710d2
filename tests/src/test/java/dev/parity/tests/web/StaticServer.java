package dev.parity.tests.web;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Serves a directory on 127.0.0.1 (a free port) as any static web server would, with the MIME types
 * browsers insist on for modules and WebAssembly. The exported page needs HTTP: Chromium refuses ES
 * modules and wasm streaming from {@code file://}.
 */
public final class StaticServer implements AutoCloseable {
    private static final Map<String, String> TYPES =
            Map.of(
                    "html", "text/html; charset=utf-8",
                    "js", "text/javascript",
                    "mjs", "text/javascript",
                    "wasm", "application/wasm",
                    "json", "application/json",
                    "onnx", "application/octet-stream");

    private final HttpServer server;

    private StaticServer(HttpServer server) {
        this.server = server;
    }

    public static StaticServer serve(Path root) throws IOException {
        Path base = root.toAbsolutePath().normalize();
        HttpServer s =
                HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        s.createContext(
                "/",
                ex -> {
                    String rel = ex.getRequestURI().getPath().replaceFirst("^/", "");
                    Path file = base.resolve(rel.isEmpty() ? "index.html" : rel).normalize();
                    if (!file.startsWith(base) || !Files.isRegularFile(file)) {
                        ex.sendResponseHeaders(404, -1);
                        ex.close();
                        return;
                    }
                    String name = file.getFileName().toString();
                    String ext = name.substring(name.lastIndexOf('.') + 1);
                    ex.getResponseHeaders()
                            .set(
                                    "Content-Type",
                                    TYPES.getOrDefault(ext, "application/octet-stream"));
                    byte[] body = Files.readAllBytes(file);
                    ex.sendResponseHeaders(200, body.length);
                    try (OutputStream o = ex.getResponseBody()) {
                        o.write(body);
                    }
                });
        s.start();
        return new StaticServer(s);
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
