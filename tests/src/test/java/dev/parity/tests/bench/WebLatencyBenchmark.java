package dev.parity.tests.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parity.compression.onnx.MlpOnnx;
import dev.parity.jobs.ParityCli;
import dev.parity.models.ModelGate;
import dev.parity.models.ModelManifest;
import dev.parity.tests.web.Chromium;
import dev.parity.tests.web.StaticServer;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The exported web page against ONNX Runtime Java, side by side in one run: page load time (fresh
 * browser profile each time: navigation start to the model being ready), and {@code session.run}
 * latency at batch 1 and 256 measured inside the page (onnxruntime-web, WebAssembly, 1 thread) and
 * in the JVM (ONNX Runtime Java, 1 intra-op thread), in interleaved rounds on the same rows. Both
 * sides time blocks of 50 calls (the page's clock is coarsened to 0.1 ms).
 *
 * <pre>
 * java -cp ... dev.parity.tests.bench.WebLatencyBenchmark models/bundled/flights-linear/1 out/web-bench [rounds]
 * java -cp ... dev.parity.tests.bench.WebLatencyBenchmark mlp:256,256 out/web-bench-mlp [rounds]
 * </pre>
 *
 * {@code mlp:H1,H2} is a random-weight MLP of the teacher's shape with the bundled model's inputs.
 */
public final class WebLatencyBenchmark {
    private static final Path BUNDLED = Path.of("models/bundled/flights-linear/1");

    public static void main(String[] args) throws Exception {
        Path work = Path.of(args[1]).toAbsolutePath();
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        Files.createDirectories(work);
        Path model = args[0].startsWith("mlp:") ? mlp(args[0], work) : Path.of(args[0]);
        Path web = work.resolve("web");
        if (!Files.exists(web.resolve("index.html"))) {
            int code =
                    ParityCli.execute(
                            "export",
                            "--model",
                            model.toString(),
                            "--target",
                            "web",
                            "--out",
                            web.toString());
            if (code != 0) {
                throw new IllegalStateException("export failed: " + code);
            }
        }
        ModelManifest manifest =
                ModelManifest.fromJson(Files.readAllBytes(web.resolve("manifest.json")));
        JsonNode check = new ObjectMapper().readTree(web.resolve("check.json").toFile());
        List<float[]> rows = new ArrayList<>();
        for (JsonNode r : check.path("rows")) {
            float[] v = new float[manifest.inputs.size()];
            for (int j = 0; j < v.length; j++) {
                v[j] =
                        r.get(j).isNull()
                                ? (float) manifest.inputs.get(j).defaultValue
                                : (float) r.get(j).asDouble();
            }
            rows.add(v);
        }
        String rowsJson = new ObjectMapper().writeValueAsString(rows);
        System.out.printf(
                Locale.ROOT,
                "model %s (%s, %,d bytes), %d rounds%n",
                args[0],
                manifest.name,
                Files.size(web.resolve("model.onnx")),
                rounds);

        try (StaticServer server = StaticServer.serve(web)) {
            double[] loads = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                try (Chromium b = Chromium.start(Chromium.DEFAULT, work)) {
                    b.navigate(server.url());
                    loads[r] = b.evaluate("parity.ready.then(m => m.loadMillis)").asDouble();
                }
            }
            System.out.printf(
                    Locale.ROOT, "page load to model ready (fresh profile): %s ms%n", range(loads));
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            try (Chromium b = Chromium.start(Chromium.DEFAULT, work);
                    OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
                b.navigate(server.url());
                b.evaluate("parity.ready.then(() => true)");
                o.setIntraOpNumThreads(1);
                o.setInterOpNumThreads(1);
                o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
                try (OrtSession s =
                        env.createSession(Files.readAllBytes(web.resolve("model.onnx")), o)) {
                    double[][] web1 = new double[2][rounds];
                    double[][] web256 = new double[2][rounds];
                    double[][] java1 = new double[2][rounds];
                    double[][] java256 = new double[2][rounds];
                    for (int r = 0; r < rounds; r++) {
                        JsonNode w1 =
                                b.evaluate("parity.benchmark(" + rowsJson + ", 1, 2000, 200)");
                        JsonNode w256 =
                                b.evaluate("parity.benchmark(" + rowsJson + ", 256, 200, 20)");
                        double[] j1 = java(env, s, manifest, rows, 1, 2000, 200);
                        double[] j256 = java(env, s, manifest, rows, 256, 200, 20);
                        web1[0][r] = w1.path("blockMedianMs").asDouble() * 1000;
                        web1[1][r] = w1.path("meanMs").asDouble() * 1000;
                        web256[0][r] = w256.path("blockMedianMs").asDouble() * 1000;
                        web256[1][r] = w256.path("meanMs").asDouble() * 1000;
                        java1[0][r] = j1[0];
                        java1[1][r] = j1[1];
                        java256[0][r] = j256[0];
                        java256[1][r] = j256[1];
                        System.out.printf(
                                Locale.ROOT,
                                "round %d: b1 web %.1f us / java %.1f us (%.1fx); b256 web %.1f us /"
                                        + " java %.1f us (%.1fx) (median of 50-call block means)%n",
                                r + 1,
                                web1[0][r],
                                java1[0][r],
                                web1[0][r] / java1[0][r],
                                web256[0][r],
                                java256[0][r],
                                web256[0][r] / java256[0][r]);
                    }
                    System.out.printf(
                            Locale.ROOT,
                            "batch 1   us per call, median of 50-call blocks: web %s, java %s%n"
                                    + "batch 1   us per call, mean of all calls:       web %s, java"
                                    + " %s%nbatch 256 us per call, median of 50-call blocks: web %s,"
                                    + " java %s%nbatch 256 us per call, mean of all calls:      "
                                    + " web %s, java %s%n",
                            range(web1[0]),
                            range(java1[0]),
                            range(web1[1]),
                            range(java1[1]),
                            range(web256[0]),
                            range(java256[0]),
                            range(web256[1]),
                            range(java256[1]));
                }
            }
        }
    }

    /**
     * Microseconds per call like the page measures them: the median of 50-call block means, and the
     * mean over all calls, after warm-up.
     */
    private static double[] java(
            OrtEnvironment env,
            OrtSession s,
            ModelManifest m,
            List<float[]> rows,
            int batch,
            int calls,
            int warmup)
            throws Exception {
        int d = m.inputs.size();
        FloatBuffer buf =
                java.nio.ByteBuffer.allocateDirect(batch * d * 4)
                        .order(java.nio.ByteOrder.nativeOrder())
                        .asFloatBuffer();
        for (int i = 0; i < batch; i++) {
            buf.put(rows.get(i % rows.size()));
        }
        buf.flip();
        try (OnnxTensor t = OnnxTensor.createTensor(env, buf, new long[] {batch, d})) {
            java.util.Map<String, OnnxTensor> feed = java.util.Map.of(m.inputTensor.name, t);
            for (int i = 0; i < warmup; i++) {
                s.run(feed).close();
            }
            int block = 50;
            int blocks = Math.max(1, calls / block);
            double[] means = new double[blocks];
            long start = System.nanoTime();
            for (int b = 0; b < blocks; b++) {
                long t0 = System.nanoTime();
                for (int i = 0; i < block; i++) {
                    s.run(feed).close();
                }
                means[b] = (System.nanoTime() - t0) / 1e3 / block;
            }
            double total = (System.nanoTime() - start) / 1e3;
            Arrays.sort(means);
            return new double[] {means[blocks / 2], total / (blocks * block)};
        }
    }

    private static String range(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return String.format(
                Locale.ROOT, "%.1f-%.1f (median %.1f)", s[0], s[s.length - 1], s[s.length / 2]);
    }

    /** A random-weight MLP with the bundled model's inputs, registered under {@code work}. */
    private static Path mlp(String spec, Path work) throws Exception {
        int[] hidden =
                Arrays.stream(spec.substring(4).split(",")).mapToInt(Integer::parseInt).toArray();
        ModelManifest m =
                ModelManifest.fromJson(Files.readAllBytes(BUNDLED.resolve("manifest.json")));
        int d = m.inputs.size();
        float[] defaults = new float[d];
        float[] mean = new float[d];
        float[] std = new float[d];
        for (int j = 0; j < d; j++) {
            defaults[j] = (float) m.inputs.get(j).defaultValue;
            mean[j] = defaults[j];
            std[j] = Math.max(1f, Math.abs(defaults[j]) * 0.5f);
        }
        byte[] onnx = MlpOnnx.build(defaults, mean, std, MlpOnnx.randomLayers(d, hidden, 1, 42));
        Path dir = work.resolve("model");
        Files.createDirectories(dir);
        Files.write(dir.resolve("model.onnx"), onnx);
        m.name = "random-mlp";
        m.sha256 = ModelGate.sha256(onnx);
        m.inputTensor = new ModelManifest.TensorSpec(MlpOnnx.INPUT, List.of(-1L, (long) d));
        m.outputTensor = new ModelManifest.TensorSpec(MlpOnnx.OUTPUT, List.of(-1L, 1L));
        m.lineage = null;
        Files.write(dir.resolve("manifest.json"), m.toJson());
        return dir;
    }
}
