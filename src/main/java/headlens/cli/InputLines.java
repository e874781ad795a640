package headlens.cli;

import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Reads a UTF-8 input file of the CLI, one entry per line, with errors that name the file. */
final class InputLines {
    private InputLines() {}

    static List<String> read(Path input) {
        try {
            return Files.readAllLines(input, StandardCharsets.UTF_8);
        } catch (MalformedInputException e) {
            throw new HeadlensException(input + ": not valid UTF-8");
        } catch (IOException e) {
            throw new HeadlensException(input + ": cannot read: " + e.getMessage());
        }
    }
}
