package dev.parity.jobs;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The checks every {@code --out} gets before a command writes anything, each failing with one
 * {@link IllegalArgumentException} line that names the option, the path and the reason: a directory
 * that is a regular file, cannot be created or is not writable, a non-empty directory without
 * {@code --overwrite}, a file that is a directory. Also creates a directory and removes what a
 * failed run created.
 */
public final class OutputPaths {
    private OutputPaths() {}

    /**
     * Checks {@code dir} as an output directory that may already exist.
     *
     * @param emptyUnlessOverwrite refuse a non-empty directory unless {@code overwrite}
     * @param ignored entry names that do not make the directory non-empty (a run's own staging)
     * @throws IllegalArgumentException naming {@code option} and {@code dir} when it cannot be used
     */
    public static void checkDirectory(
            String option,
            Path dir,
            boolean emptyUnlessOverwrite,
            boolean overwrite,
            Set<String> ignored) {
        if (Files.exists(dir)) {
            if (!Files.isDirectory(dir)) {
                throw new IllegalArgumentException(
                        option + " " + dir + " is a file, not a directory");
            }
            if (!Files.isWritable(dir)) {
                throw new IllegalArgumentException(option + " " + dir + " is not writable");
            }
            if (emptyUnlessOverwrite && !overwrite && !isEmpty(option, dir, ignored)) {
                throw new IllegalArgumentException(
                        option
                                + " "
                                + dir
                                + " is not empty; pass --overwrite to replace its contents");
            }
            return;
        }
        checkCreatable(option, dir, "created");
    }

    /**
     * Checks {@code file} as an output file: not a directory, and its directory exists writable or
     * can be created.
     */
    public static void checkFile(String option, Path file) {
        if (Files.isDirectory(file)) {
            throw new IllegalArgumentException(
                    option + " " + file + " is a directory; expected a file to write");
        }
        Path parent = file.toAbsolutePath().getParent();
        if (Files.exists(file) && !Files.isWritable(file)) {
            throw new IllegalArgumentException(option + " " + file + " is not writable");
        }
        if (Files.isDirectory(parent)) {
            if (!Files.isWritable(parent)) {
                throw new IllegalArgumentException(
                        option + " " + file + " cannot be written: " + parent + " is not writable");
            }
            return;
        }
        checkCreatable(option, file, "written");
    }

    /** {@code path} does not exist: its nearest existing ancestor must be a writable directory. */
    private static void checkCreatable(String option, Path path, String verb) {
        Path ancestor = path.toAbsolutePath().getParent();
        while (ancestor != null && !Files.exists(ancestor)) {
            ancestor = ancestor.getParent();
        }
        if (ancestor == null) {
            return; // nothing to check against; creating it reports the reason
        }
        if (!Files.isDirectory(ancestor)) {
            throw new IllegalArgumentException(
                    option
                            + " "
                            + path
                            + " cannot be "
                            + verb
                            + ": "
                            + ancestor
                            + " is a file, not a directory");
        }
        if (!Files.isWritable(ancestor)) {
            throw new IllegalArgumentException(
                    option
                            + " "
                            + path
                            + " cannot be "
                            + verb
                            + ": "
                            + ancestor
                            + " is not writable");
        }
    }

    private static boolean isEmpty(String option, Path dir, Set<String> ignored) {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                if (!ignored.contains(p.getFileName().toString())) {
                    return false;
                }
            }
            return true;
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    option + " " + dir + " cannot be read: " + reason(e), e);
        }
    }

    /**
     * Creates {@code dir} and its missing parents; returns the topmost directory it created (to
     * remove after a failed run with {@link #deleteRecursively}), or null when {@code dir} existed.
     */
    public static Path createDirectories(String option, Path dir) {
        if (Files.isDirectory(dir)) {
            return null;
        }
        Path top = dir.toAbsolutePath();
        while (top.getParent() != null && !Files.exists(top.getParent())) {
            top = top.getParent();
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    option + " " + dir + " cannot be created: " + reason(e), e);
        }
        return top;
    }

    /** Deletes {@code path} and everything under it; nothing when it does not exist or is null. */
    public static void deleteRecursively(Path path) throws IOException {
        if (path == null || !Files.exists(path)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(path)) {
            for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        }
    }

    /** An I/O failure in words: the JDK's exception names the path in its message only. */
    private static String reason(IOException e) {
        String name = e.getClass().getSimpleName();
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof java.nio.file.FileAlreadyExistsException) {
            return ((java.nio.file.FileAlreadyExistsException) e).getFile() + " is a file";
        }
        if (e instanceof java.nio.file.FileSystemException
                && ((java.nio.file.FileSystemException) e).getReason() != null) {
            return ((java.nio.file.FileSystemException) e).getReason();
        }
        return e.getMessage() == null ? name : e.getMessage();
    }
}
