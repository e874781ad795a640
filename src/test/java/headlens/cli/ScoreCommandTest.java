package headlens.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code headlens score}: a prediction file scored from the command line, conlleval and strict modes. */
class ScoreCommandTest {
    @TempDir
    Path dir;

    /** End to end: scoring conlleval's golden random file from the CLI gives conlleval.pl's overall FB1 (77.95). */
    @Test
    void scoreCommandMatchesConllevalPl() throws Exception {
        String text;
        try (InputStream in = getClass().getResourceAsStream("/headlens/eval/golden-conlleval/random-iob.txt")) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        StringBuilder gold = new StringBuilder(), pred = new StringBuilder();
        for (String line : text.split("\n", -1)) {
            if (line.startsWith("#")) continue;
            if (line.isBlank()) { gold.append('\n'); pred.append('\n'); continue; }
            String[] f = line.split(" ");
            gold.append(f[0]).append('\t').append(f[1]).append('\n');
            pred.append(f[0]).append('\t').append(f[2]).append('\n');
        }
        Path g = dir.resolve("gold.tsv"), p = dir.resolve("pred.tsv"), json = dir.resolve("out/report.json");
        Files.writeString(g, gold);
        Files.writeString(p, pred);
        String out = DataCommandTest.runOut(0, "score", "--task", "ner", "--json", json.toString(), g.toString(), p.toString());
        assertTrue(out.contains("micro avg"), out);
        JsonNode j = new ObjectMapper().readTree(Files.readString(json));
        assertEquals("77.95", String.format(java.util.Locale.ROOT, "%.2f", 100 * j.get("f1").asDouble()));
        assertEquals(868, j.get("correct").asInt());
        assertEquals(1127, j.get("support").asInt());
        // strict IOB2 drops the chunks conlleval repaired: fewer predicted entities
        Path strictJson = dir.resolve("strict.json");
        DataCommandTest.runOut(0, "score", "--strict", "iob2", "--json", strictJson.toString(), g.toString(), p.toString());
        JsonNode s = new ObjectMapper().readTree(Files.readString(strictJson));
        assertEquals("strict-IOB2", s.get("mode").asText());
        assertTrue(s.get("predicted").asInt() < 1100);
    }
}
