package dev.parity.jobs.backfill;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Merges the part files of one output into the final CSV with its header. Lines are ordered by
 * their leading integer field (the flight id), ties by the whole line, so a file's bytes do not
 * depend on parallelism or on the order subtasks finished in.
 */
final class PartMerger {
    private PartMerger() {}

    /**
     * Writes {@code target} from {@code <partsDir>/<name>-*.part}; returns the number of data
     * lines.
     *
     * @param sortById sort by the leading id, else keep the parts' order (single-writer outputs)
     */
    static long merge(Path partsDir, String name, String header, Path target, boolean sortById)
            throws IOException {
        List<Path> parts = new ArrayList<>();
        if (Files.isDirectory(partsDir)) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(partsDir, name + "-*.part")) {
                ds.forEach(parts::add);
            }
        }
        parts.sort(Comparator.comparing(Path::toString));
        List<Line> lines = new ArrayList<>();
        for (Path part : parts) {
            try (BufferedReader in = Files.newBufferedReader(part, StandardCharsets.UTF_8)) {
                String s;
                while ((s = in.readLine()) != null) {
                    lines.add(new Line(sortById ? leadingId(s, part) : 0L, s));
                }
            }
        }
        if (sortById) {
            lines.sort(Comparator.comparingLong((Line l) -> l.id).thenComparing(l -> l.text));
        }
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        try (BufferedWriter out = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            out.write(header);
            out.write('\n');
            for (Line l : lines) {
                out.write(l.text);
                out.write('\n');
            }
        }
        Files.move(
                tmp,
                target,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return lines.size();
    }

    private static long leadingId(String line, Path part) {
        int comma = line.indexOf(',');
        try {
            return Long.parseLong(comma < 0 ? line : line.substring(0, comma));
        } catch (NumberFormatException e) {
            throw new IllegalStateException(
                    part + ": expected a line starting with an id, got '" + line + "'", e);
        }
    }

    private static final class Line {
        final long id;
        final String text;

        Line(long id, String text) {
            this.id = id;
            this.text = text;
        }
    }
}
