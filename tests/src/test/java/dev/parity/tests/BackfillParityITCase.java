package dev.parity.tests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parity.features.reference.NaiveFeatureReference;
import dev.parity.features.reference.SampleData;
import dev.parity.jobs.ParityCli;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The parity contract on the committed sample: BATCH and STREAMING (RocksDB) at parallelism 1 and 4
 * write byte-identical training files, and every row equals the naive reference.
 */
class BackfillParityITCase {
    @TempDir static Path tmp;

    private static List<String> expected;

    @BeforeAll
    static void reference() {
        expected = NaiveFeatureReference.trainingFile(SampleData.rows());
    }

    @Test
    void batchAndStreamingAtParallelismOneAndFourAreByteIdenticalToTheReference()
            throws IOException {
        byte[] first = null;
        for (String mode : List.of("batch", "streaming")) {
            for (int parallelism : new int[] {1, 4}) {
                Path out = tmp.resolve(mode + "-p" + parallelism);
                int exit =
                        ParityCli.execute(
                                "backfill",
                                "--events",
                                SampleData.path().toString(),
                                "--out",
                                out.toString(),
                                "--mode",
                                mode,
                                "--parallelism",
                                String.valueOf(parallelism),
                                "--progress-interval",
                                "PT0S");
                assertThat(exit).as("exit code of %s p%d", mode, parallelism).isZero();

                Path features = out.resolve("features.csv");
                List<String> lines = Files.readAllLines(features, StandardCharsets.UTF_8);
                assertThat(lines)
                        .as("%s p%d vs naive reference", mode, parallelism)
                        .hasSize(expected.size());
                for (int i = 0; i < lines.size(); i++) {
                    assertThat(lines.get(i))
                            .as("line %d of %s p%d", i + 1, mode, parallelism)
                            .isEqualTo(expected.get(i));
                }
                byte[] bytes = Files.readAllBytes(features);
                if (first == null) {
                    first = bytes;
                } else {
                    assertThat(bytes).as("%s p%d bytes", mode, parallelism).isEqualTo(first);
                }
                assertThat(Files.readAllLines(out.resolve("late.csv"))).hasSize(1);
                assertThat(Files.readAllLines(out.resolve("rejected.csv"))).hasSize(1);
                assertThat(Files.readString(out.resolve("summary.json")))
                        .contains("\"rows_in\": " + (expected.size() - 1))
                        .contains("\"rows_out\": " + (expected.size() - 1))
                        .contains("\"mode\": \"" + mode + "\"");
                assertThat(out.resolve("_parts")).doesNotExist();
            }
        }
    }
}
