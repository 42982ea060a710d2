package dev.parity.jobs.backfill;

import dev.parity.features.engine.SpecPlan;
import dev.parity.features.spec.BundledSpec;
import dev.parity.features.spec.FeatureSpec;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.flink.api.common.RuntimeExecutionMode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code parity backfill}: the options of a {@link Backfill} of a spec's event files on a local
 * Flink; without {@code --spec} the bundled flights spec ({@link BundledSpec#flights()}).
 */
@Command(
        name = "backfill",
        mixinStandardHelpOptions = true,
        description = {
            "Computes point-in-time features for every query event of a file (flights, or the"
                    + " --spec's) and writes <out>/features.csv (sorted by id), rejected.csv,"
                    + " late.csv, incomplete.csv and summary.json.",
            "BATCH and STREAMING mode run the same operator graph and give byte-identical"
                    + " features for a file in time order (STREAMING reports events further out of"
                    + " order than --allowed-lateness in late.csv)."
        })
public final class BackfillCommand implements Callable<Integer> {
    enum Mode {
        batch,
        streaming
    }

    @Option(
            names = "--events",
            required = true,
            paramLabel = "[KIND=]FILE",
            description = {
                "flights-3m.parquet, or CSV with header id,date,delay,distance,origin,destination (.csv or .csv.gz).",
                "With --spec: a Parquet or CSV (.csv, .csv.gz) file of the spec's source rows, of its one event kind, or of the kind named before '='. Repeatable (several files of flights rows too)."
            })
    List<String> eventFiles;

    @Option(
            names = "--spec",
            paramLabel = "FILE",
            description =
                    "Feature spec (YAML, see docs/SPEC.md) to compute. Default: the bundled flights spec (examples/flights/flights.yaml).")
    Path spec;

    @Option(
            names = "--out",
            required = true,
            paramLabel = "DIR",
            description =
                    "Local output directory, created if missing; an existing one must be empty"
                            + " (see --overwrite).")
    Path out;

    @Option(
            names = "--overwrite",
            description =
                    "Replace the contents of a non-empty --out, once the run has succeeded (a"
                            + " failed run leaves them as they were).")
    boolean overwrite;

    @Option(
            names = "--mode",
            defaultValue = "batch",
            paramLabel = "MODE",
            description =
                    "batch (Flink BATCH runtime) or streaming (STREAMING runtime, RocksDB state). Default: ${DEFAULT-VALUE}.")
    Mode mode;

    @Option(
            names = "--parallelism",
            defaultValue = "2",
            paramLabel = "N",
            description = "Parallelism of the feature operators. Default: ${DEFAULT-VALUE}.")
    int parallelism;

    @Option(
            names = "--allowed-lateness",
            defaultValue = "PT5M",
            paramLabel = "DURATION",
            description =
                    "Bounded out-of-orderness of event time (ISO-8601, e.g. PT5M); events later than this go to late.csv. Default: ${DEFAULT-VALUE}.")
    Duration allowedLateness;

    @Option(
            names = "--progress-interval",
            defaultValue = "PT2S",
            paramLabel = "DURATION",
            description =
                    "How often to print progress; PT0S turns it off. Default: ${DEFAULT-VALUE}.")
    Duration progressInterval;

    @Option(
            names = "--model",
            paramLabel = "DIR",
            description =
                    "Model directory (<registry>/<name>/<version>) to score every row (flight) with; writes predictions.csv. The model must pass the bad-model gate, for this feature set.")
    String model;

    @Option(
            names = "--shadow-model",
            paramLabel = "DIR",
            description =
                    "Candidate model scored next to --model on every row; writes shadow_predictions.csv.")
    String shadowModel;

    @Option(
            names = "--max-batch",
            defaultValue = "256",
            paramLabel = "N",
            description = "Scoring micro-batch size. Default: ${DEFAULT-VALUE}.")
    int maxBatch;

    @Option(
            names = "--max-wait",
            defaultValue = "PT0.005S",
            paramLabel = "DURATION",
            description =
                    "Longest a record waits for its micro-batch to fill. Default: ${DEFAULT-VALUE}.")
    Duration maxWait;

    @Option(
            names = "--intra-op-threads",
            defaultValue = "1",
            paramLabel = "N",
            description = "ONNX Runtime threads per scoring subtask. Default: ${DEFAULT-VALUE}.")
    int intraOpThreads;

    @Option(
            names = "--max-model-bytes",
            defaultValue = "268435456",
            paramLabel = "BYTES",
            description = "Size limit of the bad-model gate. Default: ${DEFAULT-VALUE}.")
    long maxModelBytes;

    private final PrintStream console;

    public BackfillCommand() {
        this(System.out);
    }

    BackfillCommand(PrintStream console) {
        this.console = console;
    }

    @Override
    public Integer call() throws Exception {
        // Without --spec: the bundled flights spec
        SpecPlan plan = SpecPlan.of(spec == null ? BundledSpec.flights() : FeatureSpec.load(spec));
        Backfill.Summary summary =
                Backfill.builder(plan)
                        .specLabel(spec == null ? null : spec.toString())
                        .events(eventFiles)
                        .out(out)
                        .overwrite(overwrite)
                        .mode(
                                mode == Mode.batch
                                        ? RuntimeExecutionMode.BATCH
                                        : RuntimeExecutionMode.STREAMING)
                        .parallelism(parallelism)
                        .allowedLateness(allowedLateness)
                        .progressInterval(progressInterval)
                        .model(model)
                        .shadowModel(shadowModel)
                        .maxBatch(maxBatch)
                        .maxWait(maxWait)
                        .intraOpThreads(intraOpThreads)
                        .maxModelBytes(maxModelBytes)
                        .console(console)
                        .build()
                        .run();
        summary.print(console);
        return 0;
    }
}
