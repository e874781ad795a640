package headlens.core;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/** Writes a file to a temporary sibling and renames it into place, so readers never see half a file. */
public final class AtomicFiles {
    private AtomicFiles() {}

    public interface ChannelWriter { void write(FileChannel ch) throws IOException; }

    public interface StreamWriter { void write(OutputStream out) throws IOException; }

    public static void write(Path target, ChannelWriter writer) throws IOException {
        Path abs = target.toAbsolutePath();
        Files.createDirectories(abs.getParent());
        Path tmp = abs.resolveSibling("." + abs.getFileName() + "." + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                writer.write(ch);
                ch.force(true);
            }
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    public static void writeStream(Path target, StreamWriter writer) throws IOException {
        write(target, ch -> {
            OutputStream out = Channels.newOutputStream(ch);
            writer.write(out);
            out.flush();
        });
    }

    public static void writeBytes(Path target, byte[] bytes) throws IOException {
        writeStream(target, out -> out.write(bytes));
    }

    /** Copies a file atomically (used for tokenizer files). */
    public static void copy(Path source, Path target) throws IOException {
        write(target, ch -> {
            try (FileChannel in = FileChannel.open(source, StandardOpenOption.READ)) {
                long size = in.size(), pos = 0;
                while (pos < size) pos += in.transferTo(pos, size - pos, ch);
            }
        });
    }
}
