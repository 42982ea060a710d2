package dev.parity.jobs.backfill;

import dev.parity.features.engine.Csv;
import dev.parity.features.engine.DecodedRow;
import dev.parity.features.engine.EventRow;
import dev.parity.features.engine.FeatureRow;
import dev.parity.features.engine.IncompleteVector;
import dev.parity.features.engine.LateRecord;
import dev.parity.features.engine.LinePartSink;
import dev.parity.features.engine.RowCsv;
import dev.parity.features.engine.RowDecoder;
import dev.parity.features.engine.SpecCsvFormat;
import dev.parity.features.engine.SpecFileInput;
import dev.parity.features.engine.SpecParquetFormat;
import dev.parity.features.engine.SpecPipeline;
import dev.parity.features.engine.SpecPlan;
import dev.parity.models.flink.Prediction;
import dev.parity.models.flink.ScoringOperator;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The backfill of a feature spec: its event files in, the feature file and the reports out, through
 * the generic engine ({@link SpecPipeline}), the same graph in BATCH and STREAMING mode. Builds the
 * graph only; {@link BackfillCommand} runs it and merges the part files.
 */
public final class BackfillJob {
    private final SpecPlan plan;
    private final List<Input> inputs;
    private final String partsDir;
    private final Duration maxOutOfOrderness;
    private final ScoringOperator<FeatureRow> scoring;

    /** One events file and how its rows are read. */
    public static final class Input {
        public final String file;
        public final RowDecoder decoder;

        public Input(String file, RowDecoder decoder) {
            this.file = file;
            this.decoder = decoder;
        }

        public String file() {
            return file;
        }

        public RowDecoder decoder() {
            return decoder;
        }
    }

    public BackfillJob(
            SpecPlan plan, List<Input> inputs, String partsDir, Duration maxOutOfOrderness) {
        this(plan, inputs, partsDir, maxOutOfOrderness, null);
    }

    /** With {@code scoring} set, every row is also scored and predictions written. */
    public BackfillJob(
            SpecPlan plan,
            List<Input> inputs,
            String partsDir,
            Duration maxOutOfOrderness,
            ScoringOperator<FeatureRow> scoring) {
        this.plan = plan;
        this.inputs = List.copyOf(inputs);
        this.partsDir = partsDir;
        this.maxOutOfOrderness = maxOutOfOrderness;
        this.scoring = scoring;
    }

    /**
     * Parses {@code --events} values, {@code [kind=]file}: a file of source rows (a spec with a
     * {@code source}), of the one kind of a single-kind spec, or of the named kind.
     */
    public static List<Input> inputs(SpecPlan plan, List<String> events) {
        List<Input> inputs = new ArrayList<>();
        for (String e : events) {
            int eq = e.indexOf('=');
            String kind = null;
            String file = e;
            // "kind=file", but not a URI's "s3://bucket/a=b"
            if (eq > 0 && !e.substring(0, eq).contains("/") && !e.substring(0, eq).contains(":")) {
                kind = e.substring(0, eq);
                file = e.substring(eq + 1);
            }
            try {
                inputs.add(new Input(file, RowDecoder.forInput(plan, kind)));
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException("--events " + e + ": " + ex.getMessage(), ex);
            }
        }
        return inputs;
    }

    /**
     * Fails before any job starts when a local input is unreadable or its CSV header does not fit
     * the spec: one line naming the file, and the columns.
     */
    public static void checkInput(String arg, Input in) throws IOException {
        if (in.file.contains("://")) {
            return;
        }
        Path p = Path.of(in.file);
        if (!Files.isReadable(p)) {
            throw new IllegalArgumentException("--events: cannot read '" + in.file + "'");
        }
        String lower = in.file.toLowerCase(Locale.ROOT);
        if (lower.endsWith(".parquet")) {
            SpecParquetFormat.forFile(in.file, in.decoder); // reads and checks the footer
            return;
        }
        if (!lower.endsWith(".csv") && !lower.endsWith(".csv.gz")) {
            throw new IllegalArgumentException(
                    "--events " + arg + ": expected a .parquet, .csv or .csv.gz file");
        }
        InputStream raw = Files.newInputStream(p);
        if (lower.endsWith(".gz")) {
            raw = new GZIPInputStream(raw);
        }
        try (InputStream stream = raw) {
            new SpecCsvFormat(p.getFileName().toString(), in.decoder).open(stream).close();
        } catch (IOException e) {
            throw new IllegalArgumentException("--events: " + e.getMessage(), e);
        }
    }

    /** Adds the backfill's sources, operators and sinks to {@code env}. */
    public void build(StreamExecutionEnvironment env) {
        DataStream<EventRow> events = null;
        DataStream<DecodedRow> rejected = null;
        for (int i = 0; i < inputs.size(); i++) {
            Input in = inputs.get(i);
            SpecFileInput.Output o =
                    SpecFileInput.read(env, in.file, in.decoder, maxOutOfOrderness, "events-" + i);
            events = events == null ? o.events() : events.union(o.events());
            rejected = rejected == null ? o.rejected() : rejected.union(o.rejected());
        }
        SpecPipeline.Output out =
                SpecPipeline.builder(plan).withLabel(plan.hasLabel()).build().apply(events);
        RowCsv csv = new RowCsv(plan, plan.hasLabel());
        out.rows()
                .sinkTo(new LinePartSink<>(partsDir, BackfillOutputs.FEATURES, csv::format))
                .name("write-features")
                .uid("write-features");
        if (scoring != null) {
            BackfillOutputs.writePredictions(
                    out.rows()
                            .transform("score", TypeInformation.of(Prediction.class), scoring)
                            .uid("score"),
                    partsDir);
        }
        rejected.sinkTo(
                        new LinePartSink<DecodedRow>(
                                partsDir, BackfillOutputs.REJECTED, BackfillJob::rejectedLine))
                .name("write-rejected")
                .uid("write-rejected")
                .setParallelism(1);
        out.lateEvents()
                .sinkTo(new LinePartSink<>(partsDir, BackfillOutputs.LATE, BackfillJob::lateLine))
                .name("write-late")
                .uid("write-late");
        out.incomplete()
                .sinkTo(
                        new LinePartSink<IncompleteVector>(
                                partsDir,
                                BackfillOutputs.INCOMPLETE,
                                v -> v.id + "," + Csv.field(v.missing)))
                .name("write-incomplete")
                .uid("write-incomplete");
    }

    static String rejectedLine(DecodedRow r) {
        return BackfillOutputs.rejectedLine(r.source, r.line, r.reason, r.raw);
    }

    static String lateLine(LateRecord l) {
        return BackfillOutputs.lateLine(
                l.event.id,
                l.kind,
                l.event.time,
                l.watermark,
                l.queryLate,
                l.missedText(),
                l.reason());
    }
}
