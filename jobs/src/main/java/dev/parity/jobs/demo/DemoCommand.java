package dev.parity.jobs.demo;

import dev.parity.jobs.backfill.BackfillCommand;
import java.io.BufferedReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code parity demo}: the feature engine on the bundled sample with nothing to configure. Until
 * the streaming demo lands (Kafka, scoring) it runs the backfill of the sample in BATCH mode and
 * shows a few of the computed feature vectors.
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = {
            "Runs the backfill on the bundled sample (3 days, 48,626 flights) on a local Flink,"
                    + " scores every flight with the bundled ONNX model inside the Flink job, and"
                    + " shows some features and predictions."
        })
public final class DemoCommand implements Callable<Integer> {
    static final String SAMPLE = "data/sample/flights-sample.csv";
    static final String MODEL = "models/bundled/flights-linear/1";

    @Option(
            names = "--out",
            defaultValue = "out/demo",
            paramLabel = "DIR",
            description = "Output directory. Default: ${DEFAULT-VALUE}.")
    Path out;

    @Option(
            names = "--mode",
            defaultValue = "batch",
            paramLabel = "MODE",
            description = "batch or streaming. Default: ${DEFAULT-VALUE}.")
    String mode;

    @Override
    public Integer call() throws Exception {
        if (!Files.isReadable(Path.of(SAMPLE))) {
            throw new IllegalArgumentException(
                    "the bundled sample "
                            + SAMPLE
                            + " is missing: run the demo from the repository root");
        }
        BackfillCommand backfill = new BackfillCommand();
        new CommandLine(backfill)
                .parseArgs(
                        "--events",
                        SAMPLE,
                        "--out",
                        out.toString(),
                        "--mode",
                        mode,
                        "--model",
                        MODEL);
        int exit = backfill.call();
        if (exit != 0) {
            return exit;
        }
        System.out.println();
        System.out.println("A few rows of " + out.resolve("features.csv") + ":");
        try (BufferedReader in =
                Files.newBufferedReader(out.resolve("features.csv"), StandardCharsets.UTF_8)) {
            String header = in.readLine();
            System.out.println("  " + header);
            String line;
            long n = 0;
            while ((line = in.readLine()) != null) {
                // every 5000th flight: later ones have fuller windows
                if (n++ % 5000 == 4999) {
                    System.out.println("  " + line);
                }
            }
        }
        System.out.println();
        System.out.println(
                "Their predictions from " + MODEL + " (" + out.resolve("predictions.csv") + "):");
        try (BufferedReader in =
                Files.newBufferedReader(out.resolve("predictions.csv"), StandardCharsets.UTF_8)) {
            System.out.println("  " + in.readLine());
            String line;
            long n = 0;
            while ((line = in.readLine()) != null) {
                if (n++ % 5000 == 4999) {
                    System.out.println("  " + line);
                }
            }
        }
        System.out.println();
        System.out.println(
                "Next: ./parity backfill --help (run it on data/full/flights-3m.parquet after"
                        + " scripts/fetch-data.sh)");
        return 0;
    }
}
