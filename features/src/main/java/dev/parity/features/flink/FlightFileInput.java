package dev.parity.features.flink;

import dev.parity.features.events.FlightEvent;
import dev.parity.features.io.RowResult;
import java.io.IOException;
import java.time.Duration;
import java.util.Locale;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.connector.file.src.reader.StreamFormat;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Reads a flights file (the original Parquet, or CSV with {@code FlightCsv.HEADER}, optionally
 * gzipped) into flight events, on any Flink file system.
 *
 * <p>Watermarks follow the rows' departure times with a bounded out-of-orderness, advanced as each
 * new maximum is read. Arrivals are always later than their own departure, so with a date-ordered
 * file (as the original is) no event is late. The file is read by one reader (its formats are not
 * splittable, which keeps row numbers exact); everything after it runs at the job's parallelism.
 */
public final class FlightFileInput {
    private FlightFileInput() {}

    /** The events of {@code file}, and its rejected rows. */
    public static Output read(
            StreamExecutionEnvironment env, String file, Duration maxOutOfOrderness) {
        Path path = new Path(file);
        String name = path.getName();
        FileSource<RowResult> source =
                FileSource.forRecordStreamFormat(formatFor(name), path).build();
        long boundMillis = maxOutOfOrderness.toMillis();
        WatermarkStrategy<RowResult> watermarks =
                WatermarkStrategy.<RowResult>forGenerator(
                                ctx -> new AdvancingWatermarks(boundMillis))
                        .withTimestampAssigner(
                                (r, previous) -> r.isValid() ? r.row.depTime : Long.MIN_VALUE);
        SingleOutputStreamOperator<FlightEvent> events =
                env.fromSource(source, watermarks, "read " + name)
                        .uid("flights-file-source")
                        .setParallelism(1)
                        .process(new RowsToEvents())
                        .returns(TypeInformation.of(FlightEvent.class))
                        .name("expand-rows")
                        .uid("expand-rows")
                        .setParallelism(1);
        return new Output(events, events.getSideOutput(RowsToEvents.REJECTED));
    }

    /**
     * Bounded out-of-orderness, emitted as soon as the maximum departure time advances rather than
     * on a processing-time period. Which events count as late then depends only on the file's
     * order, not on how fast it was read, so a re-run reports the same late events.
     */
    static final class AdvancingWatermarks implements WatermarkGenerator<RowResult> {
        private final long boundMillis;
        private long maxTimestamp = Long.MIN_VALUE;

        AdvancingWatermarks(long boundMillis) {
            this.boundMillis = boundMillis;
        }

        @Override
        public void onEvent(RowResult row, long timestamp, WatermarkOutput output) {
            if (timestamp > maxTimestamp) {
                maxTimestamp = timestamp;
                output.emitWatermark(new Watermark(maxTimestamp - boundMillis - 1));
            }
        }

        @Override
        public void onPeriodicEmit(WatermarkOutput output) {
            // everything is emitted in onEvent
        }
    }

    /**
     * Reads a whole flights file outside a Flink job, with the same format readers the job uses
     * (CSV or Parquet by extension), stopping early when {@code sink} returns false. For tools such
     * as the replay and the sample writer.
     */
    public static void forEachRow(String file, FlightParquetFormat.RowSink sink)
            throws IOException {
        Path path = new Path(file);
        FileSystem fs = path.getFileSystem();
        long length = fs.getFileStatus(path).getLen();
        try (StreamFormat.Reader<RowResult> reader =
                formatFor(path.getName())
                        .createReader(new Configuration(), fs.open(path), length, length)) {
            RowResult r;
            while ((r = reader.read()) != null) {
                if (!sink.accept(r)) {
                    return;
                }
            }
        }
    }

    static StreamFormat<RowResult> formatFor(String fileName) {
        String lower = fileName.toLowerCase(Locale.ROOT);
        if (lower.endsWith(".parquet")) {
            return new FlightParquetFormat(fileName);
        }
        if (lower.endsWith(".csv") || lower.endsWith(".csv.gz")) {
            return new FlightCsvFormat(fileName);
        }
        throw new IllegalArgumentException(
                "--events: cannot tell the format of '"
                        + fileName
                        + "': expected a .parquet, .csv or .csv.gz file");
    }

    /** Events and rejected rows of one file. */
    public static final class Output {
        private final DataStream<FlightEvent> events;
        private final DataStream<RowResult> rejected;

        Output(DataStream<FlightEvent> events, DataStream<RowResult> rejected) {
            this.events = events;
            this.rejected = rejected;
        }

        public DataStream<FlightEvent> events() {
            return events;
        }

        public DataStream<RowResult> rejected() {
            return rejected;
        }
    }
}
