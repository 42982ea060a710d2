package dev.parity.jobs.kafka;

import dev.parity.features.engine.SpecPlan;
import dev.parity.features.spec.BundledSpec;
import dev.parity.features.spec.FeatureSpec;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code parity replay}: the options of a {@link Replay}. Without {@code --spec}, the bundled
 * flights spec: a flights file becomes departure and arrival events.
 */
@Command(
        name = "replay",
        mixinStandardHelpOptions = true,
        description = {
            "Replays a file of a spec's events into Kafka as JSON, in event-time order, keyed by"
                    + " event id, with an idempotent producer (acks=all). Without --spec: a flights"
                    + " file (Parquet, or CSV with header id,date,delay,distance,origin,destination)"
                    + " as departure and arrival events."
        })
public final class ReplayCommand implements Callable<Integer> {
    @Option(
            names = "--events",
            required = true,
            paramLabel = "[KIND=]FILE",
            description = {
                "A CSV or Parquet file of the spec's source rows, of its one kind, or of the kind"
                        + " named before '='; sorted by time."
            })
    String eventsArg;

    @Option(
            names = "--spec",
            paramLabel = "FILE",
            description =
                    "Feature spec whose events the file holds. Default: the bundled flights spec"
                            + " (examples/flights/flights.yaml).")
    Path spec;

    @Option(
            names = "--bootstrap-servers",
            required = true,
            paramLabel = "HOST:PORT",
            description = "Kafka bootstrap servers.")
    String bootstrapServers;

    @Option(
            names = "--topic",
            defaultValue = "flights.events",
            paramLabel = "TOPIC",
            description = "Kafka topic the events are written to. Default: ${DEFAULT-VALUE}.")
    String topic;

    @ArgGroup(exclusive = true)
    Pace pace;

    static final class Pace {
        @Option(
                names = "--speedup",
                paramLabel = "N",
                description =
                        "Replay N times faster than event time (e.g. 3600: one hour per second).")
        double speedup;

        @Option(names = "--as-fast-as-possible", description = "No pacing (the default).")
        boolean asFastAsPossible;
    }

    @Option(
            names = "--progress-interval-ms",
            defaultValue = "2000",
            paramLabel = "MS",
            description =
                    "Progress output period in milliseconds; 0 turns it off. Default: ${DEFAULT-VALUE}.")
    long progressMillis;

    @Option(
            names = "--end-marker",
            description =
                    "After the file, one query event per partition a day after its last event"
                            + " (ids from 900000000 up), so that a running stream predicts the"
                            + " file's last events too; ignore the markers' own predictions.")
    boolean endMarker;

    @Override
    public Integer call() throws Exception {
        SpecPlan plan = SpecPlan.of(spec == null ? BundledSpec.flights() : FeatureSpec.load(spec));
        double speedup = pace == null || pace.asFastAsPossible ? 0 : pace.speedup;
        if (pace != null && !pace.asFastAsPossible && speedup <= 0) {
            throw new IllegalArgumentException("--speedup must be positive, got " + speedup);
        }
        Replay.Result r =
                Replay.builder(plan)
                        .events(eventsArg)
                        .bootstrapServers(bootstrapServers)
                        .topic(topic)
                        .speedup(speedup)
                        .progressMillis(progressMillis)
                        .endMarkers(endMarker)
                        .build()
                        .run();
        System.out.printf(
                Locale.ROOT,
                "replay: spec %s, %,d events to %s in %.1f s (%,.0f events/s), %,d acknowledged;"
                        + " %,d invalid rows skipped; %,d rows out of time order%n",
                plan.name(),
                r.sent(),
                topic,
                r.seconds(),
                r.sent() / r.seconds(),
                r.acknowledged(),
                r.invalidRows(),
                r.outOfOrderRows());
        r.firstProblems().forEach(p -> System.out.println("  invalid: " + p));
        if (r.endMarkers() > 0) {
            System.out.printf(
                    "replay: %d end-of-replay markers (ids from %d), one per partition%n",
                    r.endMarkers(), PredictionRecords.MARKER_ID);
        }
        return 0;
    }
}
