package headlens.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code headlens data}: the summary of a data file, and clean failures. */
class DataCommandTest {
    @TempDir
    Path dir;

    /** Runs the CLI, checks its exit code and returns what it printed to standard output. */
    static String runOut(int expectedExit, String... args) {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            assertEquals(expectedExit, Main.run(args));
        } finally {
            System.setOut(old);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }

    @Test
    void dataCommandSummarisesAndFailsCleanly() throws Exception {
        Path f = dir.resolve("ner/de/dev.tsv");
        Files.createDirectories(f.getParent());
        Files.writeString(f, "de:Berlin\tB-LOC\nde:ist\tO\n\nde:Rom\tB-LOC\n");
        String out = runOut(0, "data", f.toString());
        assertTrue(out.contains("format wikiann, 2 sentences, 3 words, languages [de]"), out);
        assertTrue(out.contains("2 labels: [B-LOC, O]"), out);
        assertTrue(runOut(0, "data", "--max-sentences", "1", f.toString()).contains("1 sentences"));
        runOut(2, "data", "--format", "csv", f.toString());
        runOut(2, "data", dir.resolve("missing.conllu").toString());
    }
}
