package dev.parity.features.engine;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

/**
 * Writes records as text lines, one part file per subtask: {@code <dir>/<name>-<subtask>.part}.
 * Meant for bounded runs (backfills): a restarted writer overwrites its part file, and in both
 * runtime modes a failure restarts every producer of that writer's input, so a finished run's parts
 * hold each record exactly once. A caller merges the parts (sorted) into the final file.
 *
 * <pre>{@code
 * vectors.sinkTo(new LinePartSink<>(outDir, "features", csv::format));
 * }</pre>
 */
public final class LinePartSink<T> implements Sink<T> {
    private static final long serialVersionUID = 1L;

    /** Turns a record into one line, without the line break. */
    @FunctionalInterface
    public interface LineFormat<T> extends Serializable {
        String format(T record);
    }

    private final String dir;
    private final String name;
    private final LineFormat<T> format;

    public LinePartSink(String dir, String name, LineFormat<T> format) {
        this.dir = dir;
        this.name = name;
        this.format = format;
    }

    /** Part file of one subtask. */
    public static Path partPath(String dir, String name, int subtask) {
        return new Path(dir, name + "-" + subtask + ".part");
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) throws IOException {
        Path path = partPath(dir, name, context.getTaskInfo().getIndexOfThisSubtask());
        FileSystem fs = path.getFileSystem();
        BufferedWriter out =
                new BufferedWriter(
                        new OutputStreamWriter(
                                fs.create(path, FileSystem.WriteMode.OVERWRITE),
                                StandardCharsets.UTF_8),
                        1 << 16);
        return new Writer<>(out, format);
    }

    private static final class Writer<T> implements SinkWriter<T> {
        private final BufferedWriter out;
        private final LineFormat<T> format;

        Writer(BufferedWriter out, LineFormat<T> format) {
            this.out = out;
            this.format = format;
        }

        @Override
        public void write(T element, Context context) throws IOException {
            out.write(format.format(element));
            out.write('\n');
        }

        @Override
        public void flush(boolean endOfInput) throws IOException {
            out.flush();
        }

        @Override
        public void close() throws IOException {
            out.close();
        }
    }
}
