package dev.parity.compression.export;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The static page of the web export: {@code index.html} (a form built from the manifest's inputs)
 * and {@code parity-web.js}, which reads {@code manifest.json} for the feature order, the
 * imputation defaults and the tensor names, and runs {@code model.onnx} with the onnxruntime-web
 * files in {@link #RUNTIME_DIR}. It exposes {@code window.parity.score(rows)}, {@code
 * benchmark(...)} and {@code selfCheck()} (against {@code check.json}, ONNX Runtime Java's
 * predictions) for tests and curious users. Browsers load its WebAssembly and modules only over
 * HTTP, so serve the directory with any static server.
 */
public final class WebPage {
    /** Where the onnxruntime-web files go, relative to the page. */
    public static final String RUNTIME_DIR = "ort";

    private static final String RESOURCES = "/dev/parity/compression/export/web/";

    private WebPage() {}

    static void write(Path dir) throws IOException {
        for (String f : new String[] {"index.html", "parity-web.js"}) {
            try (InputStream in = WebPage.class.getResourceAsStream(RESOURCES + f)) {
                if (in == null) {
                    throw new IllegalStateException("resource " + RESOURCES + f + " missing");
                }
                Files.copy(in, dir.resolve(f));
            }
        }
    }
}
