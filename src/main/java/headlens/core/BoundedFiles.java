package headlens.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.function.Function;

/** Whole-file reads of untrusted inputs with a size bound checked before anything is read. */
public final class BoundedFiles {
    private BoundedFiles() {}

    /** The bytes of {@code f}; a {@link HeadlensException} naming the file when it is missing, unreadable or over {@code max}. */
    public static byte[] read(Path f, long max, String what) {
        return read(f, max, what, HeadlensException::new);
    }

    /**
     * As {@link #read(Path, long, String)} with the caller's exception type ({@code error} gets the message).
     * {@code what} names the file's role in the messages ("a bundle index", "this file").
     */
    public static byte[] read(Path f, long max, String what, Function<String, ? extends RuntimeException> error) {
        try {
            long size = Files.size(f);
            if (size > max) throw error.apply(f + ": " + size + " bytes is more than the " + max + " allowed for " + what);
            return Files.readAllBytes(f);
        } catch (NoSuchFileException e) {
            throw error.apply(f + ": no such file");
        } catch (IOException e) {
            throw error.apply(f + ": cannot read: " + e.getMessage());
        }
    }
}
