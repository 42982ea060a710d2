package dev.parity.tests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parity.features.reference.SampleData;
import dev.parity.jobs.ParityCli;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The reference every streaming test compares with: a BATCH backfill of the sample. */
public final class Backfills {
    private Backfills() {}

    /** Runs {@code parity backfill --model} on the sample into {@code out}; its predictions. */
    public static List<String> samplePredictions(Path out, String modelDir) throws IOException {
        return predictions(out, SampleData.path(), modelDir);
    }

    /** Runs {@code parity backfill --model} on {@code events} into {@code out}; its predictions. */
    public static List<String> predictions(Path out, Path events, String modelDir)
            throws IOException {
        assertThat(
                        ParityCli.execute(
                                "backfill",
                                "--events",
                                events.toString(),
                                "--out",
                                out.toString(),
                                "--model",
                                modelDir,
                                "--progress-interval",
                                "PT0S"))
                .isZero();
        List<String> lines = Files.readAllLines(out.resolve("predictions.csv"));
        return lines.subList(1, lines.size());
    }
}
