package headlens.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import headlens.data.Sentence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReportTest {
    private static Sentence s(String lang, String... labels) {
        return new Sentence(java.util.Collections.nCopies(labels.length, "w"), List.of(labels), lang, "f:1");
    }

    @Test
    void entityReportPerLanguageAndJson(@TempDir Path dir) throws Exception {
        // en: gold PER, pred PER -> 1/1.  de: gold LOC LOC(2 entities), pred one LOC right -> P 1, R 1/2.
        // all: correct 2, predicted 2, gold 3 -> P 1, R 2/3, F1 0.8
        List<Sentence> gold = List.of(s("en", "B-PER", "O"), s("de", "B-LOC", "O", "B-LOC"));
        List<List<String>> pred = List.of(List.of("B-PER", "O"), List.of("B-LOC", "O", "O"));
        Report r = Report.evaluate("ner", Report.Kind.ENTITY_F1, null, gold, pred);
        Path out = dir.resolve("sub/report.json");
        r.writeJson(out);
        JsonNode j = new ObjectMapper().readTree(Files.readString(out));
        assertEquals("ner", j.get("task").asText());
        assertEquals("conlleval", j.get("mode").asText());
        assertEquals(1.0, j.get("precision").asDouble(), 1e-12);
        assertEquals(2.0 / 3, j.get("recall").asDouble(), 1e-12);
        assertEquals(0.8, j.get("f1").asDouble(), 1e-12);
        assertEquals(3, j.get("support").asInt());
        assertEquals(1.0, j.at("/languages/en/f1").asDouble(), 1e-12);
        assertEquals(0.5, j.at("/languages/de/recall").asDouble(), 1e-12);
        assertEquals(2.0 / 3, j.at("/languages/de/f1").asDouble(), 1e-12);
        assertEquals(2, j.at("/labels/LOC/support").asInt());
        assertTrue(j.get("accuracy") == null);
        String text = r.toText();
        assertTrue(text.contains("de") && text.contains("all") && text.contains("micro avg"), text);
        assertTrue(text.contains("0.8000"), text);
    }

    @Test
    void posReportUsesAccuracy() throws Exception {
        // en 2/2, tr 1/2 -> all 3/4
        List<Sentence> gold = List.of(s("en", "NOUN", "VERB"), s("tr", "NOUN", "ADJ"));
        List<List<String>> pred = List.of(List.of("NOUN", "VERB"), List.of("NOUN", "NOUN"));
        Report r = Report.evaluate("pos", Report.Kind.TOKEN_ACCURACY, null, gold, pred);
        JsonNode j = new ObjectMapper().readTree(r.toJson());
        assertEquals(0.75, j.get("accuracy").asDouble(), 1e-12);
        assertEquals(1.0, j.at("/languages/en/accuracy").asDouble(), 1e-12);
        assertEquals(0.5, j.at("/languages/tr/accuracy").asDouble(), 1e-12);
        assertTrue(j.get("f1") == null);
        assertTrue(r.toText().contains("0.7500"));
    }
}
