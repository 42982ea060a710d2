package dev.parity.features.engine;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.connector.file.src.reader.StreamFormat;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Reads one events file of a spec (Parquet, or CSV optionally gzipped) into events, on any Flink
 * file system. Watermarks follow the rows' earliest event times with a bounded out-of-orderness,
 * advanced as each new maximum is read, so which events are late depends only on the file's order.
 * The file is read by one reader (row numbers stay exact); everything after runs at the job's
 * parallelism.
 */
public final class SpecFileInput {
    /** Rows that are not events, with the reason. */
    public static final OutputTag<DecodedRow> REJECTED =
            new OutputTag<>("rejected-rows", EngineTypes.DECODED);

    private SpecFileInput() {}

    /** The events of {@code file} (rows as {@code decoder} reads them), and its rejected rows. */
    public static Output read(
            StreamExecutionEnvironment env,
            String file,
            RowDecoder decoder,
            Duration maxOutOfOrderness,
            String uid) {
        Path path = new Path(file);
        String name = path.getName();
        FileSource<DecodedRow> source =
                FileSource.forRecordStreamFormat(formatFor(file, decoder), path).build();
        long bound = maxOutOfOrderness.toMillis();
        WatermarkStrategy<DecodedRow> watermarks =
                WatermarkStrategy.<DecodedRow>forGenerator(ctx -> new AdvancingWatermarks(bound))
                        .withTimestampAssigner((r, previous) -> r.time());
        SingleOutputStreamOperator<EventRow> events =
                env.fromSource(source, watermarks, "read " + name)
                        .uid(uid + "-source")
                        .setParallelism(1)
                        .process(new Expand(), EngineTypes.EVENT)
                        .name("rows-to-events")
                        .uid(uid + "-events")
                        .setParallelism(1);
        return new Output(events, events.getSideOutput(REJECTED));
    }

    /**
     * Reads a whole events file outside a Flink job, with the readers the job uses (CSV, gzipped
     * CSV or Parquet by extension), stopping early when {@code sink} returns false. For tools such
     * as the replay.
     */
    public static void forEachRow(String file, RowDecoder decoder, RowSink sink)
            throws IOException {
        Path path = new Path(file);
        FileSystem fs = path.getFileSystem();
        long length = fs.getFileStatus(path).getLen();
        StreamFormat<DecodedRow> format = formatFor(file, decoder);
        FSDataInputStream in = fs.open(path);
        StreamFormat.Reader<DecodedRow> reader;
        if (format instanceof SpecCsvFormat) {
            InputStream text =
                    file.toLowerCase(Locale.ROOT).endsWith(".gz") ? new GZIPInputStream(in) : in;
            reader = ((SpecCsvFormat) format).open(text);
        } else {
            reader = format.createReader(new Configuration(), in, length, length);
        }
        try (StreamFormat.Reader<DecodedRow> r = reader) {
            DecodedRow row;
            while ((row = r.read()) != null) {
                if (!sink.accept(row)) {
                    return;
                }
            }
        }
    }

    /** Receives rows from {@link #forEachRow}; returns false to stop. */
    @FunctionalInterface
    public interface RowSink {
        boolean accept(DecodedRow row) throws IOException;
    }

    /**
     * Splits decoded rows into their events (and the rejected rows, on {@link #REJECTED}), counting
     * both; for any source of {@link DecodedRow}s, files or Kafka.
     */
    public static SingleOutputStreamOperator<EventRow> expand(
            DataStream<DecodedRow> rows, String uid) {
        return rows.process(new Expand(), EngineTypes.EVENT).name("rows-to-events").uid(uid);
    }

    static StreamFormat<DecodedRow> formatFor(String fileName, RowDecoder decoder) {
        String lower = fileName.toLowerCase(Locale.ROOT);
        if (lower.endsWith(".csv") || lower.endsWith(".csv.gz")) {
            return new SpecCsvFormat(new Path(fileName).getName(), decoder);
        }
        if (lower.endsWith(".parquet")) {
            return SpecParquetFormat.forFile(fileName, decoder);
        }
        throw new IllegalArgumentException(
                "--events: cannot tell the format of '"
                        + fileName
                        + "': expected a .parquet, .csv or .csv.gz file");
    }

    /** Splits rows into their events, each timestamped with its own time, and rejected rows. */
    static final class Expand extends ProcessFunction<DecodedRow, EventRow> {
        private static final long serialVersionUID = 1L;

        // accumulators are the exact totals the backfill checks; metrics feed the progress line
        private transient LongCounter readTotal;
        private transient LongCounter rejectedTotal;
        private transient Counter read;
        private transient Counter rejected;

        @Override
        public void open(OpenContext openContext) {
            readTotal = getRuntimeContext().getLongCounter(PipelineCounters.ROWS_READ);
            rejectedTotal = getRuntimeContext().getLongCounter(PipelineCounters.ROWS_REJECTED);
            read = getRuntimeContext().getMetricGroup().counter(PipelineCounters.ROWS_READ);
            rejected = getRuntimeContext().getMetricGroup().counter(PipelineCounters.ROWS_REJECTED);
        }

        @Override
        public void processElement(DecodedRow row, Context ctx, Collector<EventRow> out) {
            readTotal.add(1L);
            read.inc();
            if (!row.isValid()) {
                rejectedTotal.add(1L);
                rejected.inc();
                ctx.output(REJECTED, row);
                return;
            }
            for (EventRow e : row.events) {
                out.collect(e);
            }
        }
    }

    /**
     * Bounded out-of-orderness, emitted as soon as the maximum row time advances rather than on a
     * processing-time period, so a re-run reports the same late events.
     */
    static final class AdvancingWatermarks implements WatermarkGenerator<DecodedRow> {
        private final long bound;
        private long max = Long.MIN_VALUE;

        AdvancingWatermarks(long bound) {
            this.bound = bound;
        }

        @Override
        public void onEvent(DecodedRow row, long timestamp, WatermarkOutput output) {
            if (row.isValid() && timestamp > max) {
                max = timestamp;
                output.emitWatermark(new Watermark(max - bound - 1));
            }
        }

        @Override
        public void onPeriodicEmit(WatermarkOutput output) {}
    }

    /** Events and rejected rows of one file. */
    public static final class Output {
        private final DataStream<EventRow> events;
        private final DataStream<DecodedRow> rejected;

        Output(DataStream<EventRow> events, DataStream<DecodedRow> rejected) {
            this.events = events;
            this.rejected = rejected;
        }

        public DataStream<EventRow> events() {
            return events;
        }

        public DataStream<DecodedRow> rejected() {
            return rejected;
        }
    }
}
