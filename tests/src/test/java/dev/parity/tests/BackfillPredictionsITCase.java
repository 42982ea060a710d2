package dev.parity.tests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parity.features.reference.SampleData;
import dev.parity.jobs.ParityCli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scoring inside the backfill with the bundled model: BATCH and STREAMING, any parallelism and any
 * micro-batch size write byte-identical predictions; a model the gate refuses stops the command
 * before any prediction is written.
 */
class BackfillPredictionsITCase {
    private static final Path ROOT = SampleData.path().getParent().getParent().getParent();
    private static final String MODEL = ROOT.resolve("models/bundled/flights-linear/1").toString();

    @TempDir Path tmp;

    private int backfill(Path out, String... extra) {
        List<String> args =
                new java.util.ArrayList<>(
                        List.of(
                                "backfill",
                                "--events",
                                SampleData.path().toString(),
                                "--out",
                                out.toString(),
                                "--progress-interval",
                                "PT0S"));
        args.addAll(List.of(extra));
        return ParityCli.execute(args.toArray(new String[0]));
    }

    @Test
    void predictionsAreByteIdenticalAcrossModesParallelismAndBatchSizes() throws Exception {
        Path batch = tmp.resolve("batch");
        assertThat(backfill(batch, "--model", MODEL, "--max-batch", "256")).isZero();
        List<String> lines = Files.readAllLines(batch.resolve("predictions.csv"));
        assertThat(lines.get(0)).isEqualTo("id,model,version,prediction");
        assertThat(lines).hasSize(48_627);
        assertThat(lines.get(1)).startsWith("0,flights-linear,1,");
        assertThat(Files.readAllLines(batch.resolve("unscorable.csv")))
                .containsExactly("id,reason");
        byte[] expected = Files.readAllBytes(batch.resolve("predictions.csv"));

        String[][] variants = {
            {
                "--mode",
                "streaming",
                "--parallelism",
                "4",
                "--max-batch",
                "1",
                "--shadow-model",
                MODEL
            },
            {"--mode", "streaming", "--parallelism", "1", "--max-batch", "32"},
            {"--mode", "batch", "--parallelism", "4", "--max-batch", "7"},
        };
        for (String[] v : variants) {
            Path out = tmp.resolve(String.join("_", v).replace("--", ""));
            String[] args = new String[v.length + 2];
            System.arraycopy(v, 0, args, 0, v.length);
            args[v.length] = "--model";
            args[v.length + 1] = MODEL;
            assertThat(backfill(out, args)).as(String.join(" ", v)).isZero();
            assertThat(Files.readAllBytes(out.resolve("predictions.csv")))
                    .as(String.join(" ", v))
                    .isEqualTo(expected);
            if (List.of(v).contains("--shadow-model")) {
                // the candidate here is the serving model itself: its predictions must match
                assertThat(Files.readAllBytes(out.resolve("shadow_predictions.csv")))
                        .isEqualTo(expected);
            }
        }
    }

    @Test
    void aRefusedModelExitsNonZeroAndWritesNoPredictions() throws Exception {
        Path registry = tmp.resolve("registry/flights-linear/1");
        Files.createDirectories(registry);
        byte[] model = Files.readAllBytes(Path.of(MODEL, "model.onnx"));
        Files.write(
                registry.resolve("model.onnx"), java.util.Arrays.copyOf(model, model.length / 2));
        Files.copy(Path.of(MODEL, "manifest.json"), registry.resolve("manifest.json"));
        Path out = tmp.resolve("out");
        assertThat(backfill(out, "--model", registry.toString())).isEqualTo(2);
        assertThat(out).as("a refused run leaves no directory it created").doesNotExist();

        // with --overwrite, an earlier result is replaced only by a run that succeeds
        Files.createDirectories(out);
        Files.writeString(out.resolve("predictions.csv"), "earlier\n");
        Files.writeString(out.resolve("features.csv"), "earlier\n");
        assertThat(backfill(out, "--model", registry.toString(), "--overwrite")).isEqualTo(2);
        assertThat(out.resolve("predictions.csv")).hasContent("earlier\n");
        assertThat(out.resolve("features.csv")).as("no mix of two runs").hasContent("earlier\n");
        try (var entries = Files.list(out)) {
            assertThat(entries).hasSize(2);
        }
    }
}
