package dev.parity.tests.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parity.features.reference.SampleData;
import dev.parity.jobs.ParityCli;
import dev.parity.models.ModelManifest;
import dev.parity.tests.Backfills;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code parity export --target web} in a real browser: Debian's headless Chromium loads the
 * exported page over HTTP and scores 1,000 flights of the sample (with their nulls), and every
 * prediction must equal what ONNX Runtime Java gave the same flight inside the backfill job's
 * scoring operator, within 1e-5 relative. The page and the operator share nothing but the model
 * directory: feature order and imputation come from manifest.json on both sides. (No training file
 * with June rows is committed, so the rows are the sample's, 2001-01-01..03.)
 */
class WebExportE2ECase {
    private static final Path ROOT = SampleData.path().getParent().getParent().getParent();
    private static final Path BUNDLED = ROOT.resolve("models/bundled/flights-linear/1");
    private static final int ROWS = 1000;

    @TempDir Path tmp;

    @Test
    void thePageScoresSampleFlightsExactlyAsOnnxRuntimeJavaDoes() throws Exception {
        assumeTrue(
                Files.isExecutable(Chromium.DEFAULT) || System.getenv("CI") != null,
                "skipped: no /usr/bin/chromium (apt-get install chromium); in CI it must run");
        // ONNX Runtime Java's predictions, through the scoring operator of a real backfill.
        Path backfill = tmp.resolve("backfill");
        Map<Long, Float> java = new HashMap<>();
        for (String line : Backfills.samplePredictions(backfill, BUNDLED.toString())) {
            String[] f = line.split(",");
            java.put(Long.parseLong(f[0]), Float.parseFloat(f[3]));
        }
        ModelManifest manifest =
                ModelManifest.fromJson(Files.readAllBytes(BUNDLED.resolve("manifest.json")));
        List<String> lines = Files.readAllLines(backfill.resolve("features.csv"));
        List<String> header = List.of(lines.get(0).split(",", -1));
        List<Long> ids = new ArrayList<>();
        List<List<Double>> rows = new ArrayList<>();
        int nulls = 0;
        for (int i = 0; i < ROWS; i++) {
            String[] f = lines.get(1 + (int) ((long) i * (lines.size() - 1) / ROWS)).split(",", -1);
            ids.add(Long.parseLong(f[0]));
            List<Double> row = new ArrayList<>();
            for (String name : manifest.inputNames()) {
                String v = f[header.indexOf(name)];
                row.add(v.isEmpty() ? null : Double.valueOf(v));
                nulls += v.isEmpty() ? 1 : 0;
            }
            rows.add(row);
        }
        assertThat(nulls).as("rows with nulls exercise the page's imputation").isPositive();

        Path web = tmp.resolve("web");
        assertThat(
                        ParityCli.execute(
                                "export",
                                "--model",
                                BUNDLED.toString(),
                                "--target",
                                "web",
                                "--out",
                                web.toString()))
                .isZero();
        assertThat(web.resolve("ort/ort-wasm-simd-threaded.wasm")).isRegularFile();
        assertThat(Files.readString(web.resolve("index.html"))).doesNotContain("://");

        try (StaticServer server = StaticServer.serve(web);
                Chromium browser = Chromium.start(Chromium.DEFAULT, tmp)) {
            browser.navigate(server.url());
            double loadMillis = browser.evaluate("parity.ready.then(m => m.loadMillis)").asDouble();
            assertThat(loadMillis).isPositive();
            JsonNode self = browser.evaluate("parity.selfCheck()");
            assertThat(self.path("rows").asInt()).isEqualTo(64);
            assertThat(self.path("maxAbsDiff").asDouble()).isLessThan(1e-3);

            String json = new ObjectMapper().writeValueAsString(rows);
            JsonNode scores = browser.evaluate("parity.score(" + json + ")");
            assertThat(scores.size()).isEqualTo(ROWS);
            double worst = 0;
            for (int i = 0; i < ROWS; i++) {
                double expected = java.get(ids.get(i));
                double got = scores.get(i).asDouble();
                double rel = Math.abs(got - expected) / Math.max(1.0, Math.abs(expected));
                worst = Math.max(worst, rel);
                assertThat(rel)
                        .as("flight %d: page %s, Java %s", ids.get(i), got, expected)
                        .isLessThanOrEqualTo(1e-5);
            }

            // A feature vector typed into the form, one field left blank (imputed).
            List<Double> typed = rows.get(0);
            StringBuilder fill = new StringBuilder("(() => { const f = document.forms[0];");
            for (int j = 0; j < typed.size(); j++) {
                String v = j == 3 || typed.get(j) == null ? "" : typed.get(j).toString();
                fill.append("f.elements[").append(j).append("].value = '").append(v).append("';");
            }
            fill.append("document.getElementById('predict').click(); return true; })()");
            browser.evaluate(fill.toString());
            List<Double> imputed = new ArrayList<>(typed);
            imputed.set(3, null);
            double expectedTyped =
                    browser.evaluate(
                                    "parity.score(["
                                            + new ObjectMapper().writeValueAsString(imputed)
                                            + "]).then(y => y[0])")
                            .asDouble();
            JsonNode shown =
                    browser.evaluate(
                            "new Promise(r => { const t = setInterval(() => { const o ="
                                    + " document.getElementById('prediction').textContent;"
                                    + " if (o !== '-') { clearInterval(t); r(o); } }, 20); })");
            assertThat(Double.parseDouble(shown.asText()))
                    .isCloseTo(expectedTyped, org.assertj.core.data.Offset.offset(0.0006));
            System.out.printf(
                    "web export: %d flights scored in Chromium, max relative diff %.2e to ONNX"
                            + " Runtime Java; model ready %.0f ms after navigation%n",
                    ROWS, worst, loadMillis);
        }
    }
}
