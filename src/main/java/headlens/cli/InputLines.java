package headlens.cli;

import headlens.core.HeadlensException;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Reads a UTF-8 input file of the CLI one line at a time (line ends as {@link BufferedReader#readLine()}: \n, \r, \r\n),
 * with errors that name the file and line. Only the current line is held, so commands can stream their input.
 */
final class InputLines implements Iterator<String>, AutoCloseable {
    private final Path input;
    private final BufferedReader reader;
    private String next;
    private int number;          // 1-based number of the line last returned by next()

    private InputLines(Path input) {
        this.input = input;
        try {
            reader = Files.newBufferedReader(input, StandardCharsets.UTF_8);   // strict decoder: malformed bytes throw
        } catch (NoSuchFileException e) {
            throw new HeadlensException(input + ": no such file");
        } catch (IOException e) {
            throw new HeadlensException(input + ": cannot read: " + e.getMessage());
        }
        advance();
    }

    static InputLines open(Path input) { return new InputLines(input); }

    /** Every line at once (for small inputs). */
    static List<String> read(Path input) {
        List<String> out = new ArrayList<>();
        try (InputLines in = open(input)) { in.forEachRemaining(out::add); }
        return out;
    }

    /** The 1-based line number of the line {@link #next()} returned last. */
    int lineNumber() { return number; }

    @Override public boolean hasNext() { return next != null; }

    @Override public String next() {
        if (next == null) throw new NoSuchElementException();
        String line = next;
        number++;
        advance();
        return line;
    }

    private void advance() {
        try {
            next = reader.readLine();
        } catch (MalformedInputException e) {
            throw new HeadlensException(input + ": not valid UTF-8 (at line " + (number + 1) + " or later)");   // read-ahead
        } catch (IOException e) {
            throw new HeadlensException(input + ": cannot read: " + e.getMessage());
        }
    }

    @Override public void close() {
        try {
            reader.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
