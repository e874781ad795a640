package headlens.core;

import org.apache.commons.io.file.PathUtils;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * Outputs that appear whole or not at all: a file is written to a temporary sibling, forced to disk and renamed into
 * place, so readers (and a run resumed after a kill) never see half a file; {@link #writeDirectory} does the same for
 * a directory. The one place in headlens that writes temp-and-rename.
 */
public final class AtomicFiles {
    private AtomicFiles() {}

    public interface ChannelWriter { void write(FileChannel ch) throws IOException; }

    public interface StreamWriter { void write(OutputStream out) throws IOException; }

    /** Fills {@code dir}; what it returns {@link #writeDirectory} returns. */
    public interface DirectoryWriter<T> { T write(Path dir) throws IOException; }

    public static void write(Path target, ChannelWriter writer) throws IOException {
        Path abs = target.toAbsolutePath();
        Files.createDirectories(abs.getParent());
        Path tmp = abs.resolveSibling("." + abs.getFileName() + "." + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                writer.write(ch);
                ch.force(true);
            }
            rename(tmp, abs);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Writes through a buffered stream. Closing it only flushes, so a writer may hand it to a library that closes what
     * it writes to (Jackson, ImageIO) before the file is forced to disk.
     */
    public static void writeStream(Path target, StreamWriter writer) throws IOException {
        write(target, ch -> {
            OutputStream out = new BufferedOutputStream(new FilterOutputStream(Channels.newOutputStream(ch)) {
                @Override public void write(byte[] b, int off, int len) throws IOException { out.write(b, off, len); }
                @Override public void close() throws IOException { flush(); }
            }, 1 << 16);
            writer.write(out);
            out.flush();
        });
    }

    public static void writeBytes(Path target, byte[] bytes) throws IOException {
        writeStream(target, out -> out.write(bytes));
    }

    /** Writes {@code text} as UTF-8. */
    public static void writeString(Path target, String text) throws IOException {
        writeBytes(target, text.getBytes(StandardCharsets.UTF_8));
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

    /**
     * Builds a directory: {@code writer} fills the empty sibling {@code NAME.tmp} (one left by a killed run is
     * deleted first), every file in it is forced to disk, and it is renamed to {@code target}. An existing
     * {@code target} is renamed to {@link #previous} first and deleted once the new one is in place, so a crash at any
     * point leaves the new or the previous directory whole under one of the two names. If {@code writer} throws,
     * {@code target} is untouched and the temporary directory is removed.
     */
    public static <T> T writeDirectory(Path target, DirectoryWriter<T> writer) throws IOException {
        Path abs = target.toAbsolutePath();
        Path tmp = abs.resolveSibling(abs.getFileName() + ".tmp"), old = previous(abs);
        deleteTree(tmp);
        Files.createDirectories(tmp);
        try {
            T result = writer.write(tmp);
            forceFiles(tmp);
            if (Files.exists(abs)) {
                deleteTree(old);
                rename(abs, old);
            }
            rename(tmp, abs);
            deleteTree(old);
            return result;
        } finally {
            deleteTree(tmp);
        }
    }

    /** Where {@link #writeDirectory} keeps the previous {@code dir} while it swaps in the new one: {@code NAME.old}. */
    public static Path previous(Path dir) {
        Path abs = dir.toAbsolutePath();
        return abs.resolveSibling(abs.getFileName() + ".old");
    }

    /** Renames {@code from} to {@code to} (replacing a file there), atomically where the file system can. */
    public static void rename(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void forceFiles(Path dir) throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.walk(dir)) {
            files = s.filter(Files::isRegularFile).toList();
        }
        // opened for reading: fsync needs no write access (on Linux and macOS), so read-only copies are forced too
        for (Path f : files) try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) { ch.force(true); }
    }

    private static void deleteTree(Path p) throws IOException {
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) PathUtils.deleteDirectory(p);
        else Files.deleteIfExists(p);
    }
}
