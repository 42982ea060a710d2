package dev.parity.compression.export;

import dev.parity.models.ModelGate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Size and sha256 of an exported file. */
public final class FileInfo {
    public long bytes;
    public String sha256;

    public FileInfo() {}

    static FileInfo of(Path p) throws IOException {
        FileInfo f = new FileInfo();
        byte[] b = Files.readAllBytes(p);
        f.bytes = b.length;
        f.sha256 = ModelGate.sha256(b);
        return f;
    }
}
