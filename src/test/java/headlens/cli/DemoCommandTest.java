package headlens.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import headlens.data.DataReaders;
import headlens.data.Sentence;
import headlens.heads.ImportanceReport;
import headlens.model.HeadId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code headlens demo --quick} end to end on the shipped UD sample (about a minute). */
class DemoCommandTest {
    @TempDir Path dir;

    @Test
    void quickDemoTrainsRanksPrunesAndSummarises() throws Exception {
        Path out = dir.resolve("demo");
        PrintStream stdout = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        int rc;
        try {
            rc = Main.run("demo", "--quick", "--output", out.toString());
        } finally {
            System.setOut(stdout);
        }
        assertEquals(0, rc);
        for (String f : List.of("data/pos/en/train.conllu", "data/pos/de/test.conllu", "data/LICENSE.txt", "data/SOURCE.md",
                "heads.json", "heads-en.png", "heads-de.png", "heads-aggregate.png", "tagger/metrics.json",
                "tagger-pruned-lowest/head_mask.json", "metrics-pruned-lowest.json", "metrics-pruned-highest.json", "summary.txt"))
            assertTrue(Files.isRegularFile(out.resolve(f)), f);

        // the shipped sample is what SOURCE.md says: 502 / 208 English train / test sentences, 196 German test sentences
        assertEquals(502, sentences(out.resolve("data/pos/en/train.conllu")).size());
        assertEquals(208, sentences(out.resolve("data/pos/en/test.conllu")).size());
        assertEquals(196, sentences(out.resolve("data/pos/de/test.conllu")).size());

        // the tagger learned something: above always answering the most frequent tag of the (24-sentence) English test slice
        JsonNode full = new ObjectMapper().readTree(out.resolve("tagger/metrics.json").toFile());
        double en = full.at("/languages/en/accuracy").asDouble();
        double majority = majority(sentences(out.resolve("data/pos/en/test.conllu")).subList(0, 24));
        assertTrue(en > majority + 0.05, "en accuracy " + en + " vs most-frequent-tag baseline " + majority);

        // the lowest-ranked mask holds exactly the 12 first heads of the aggregate ranking
        List<HeadId> ranking = ImportanceReport.read(out.resolve("heads.json")).aggregate().ascending();
        Set<String> want = new TreeSet<>();
        for (HeadId h : ranking.subList(0, 12)) want.add(h.toString());
        JsonNode mask = new ObjectMapper().readTree(out.resolve("tagger-pruned-lowest/head_mask.json").toFile());
        Set<String> got = new TreeSet<>();
        mask.path("masked_heads").fields().forEachRemaining(e -> e.getValue().forEach(h -> got.add(e.getKey() + ":" + h.asInt())));
        assertEquals(want, got, mask.toString());

        // the printed table is the file, and carries the numbers of the metrics files
        String summary = Files.readString(out.resolve("summary.txt"));
        String printed = buf.toString(StandardCharsets.UTF_8);
        assertTrue(printed.endsWith(summary), printed);
        String row = summary.lines().filter(l -> l.startsWith("all 72 heads")).findFirst().orElseThrow();
        assertTrue(row.contains(String.format(Locale.ROOT, "%.4f", en)), row);
        for (String order : List.of("lowest", "highest")) {
            double acc = new ObjectMapper().readTree(out.resolve("metrics-pruned-" + order + ".json").toFile()).at("/languages/en/accuracy").asDouble();
            String r = summary.lines().filter(l -> l.startsWith("60 heads (12 " + order + "-ranked masked)")).findFirst().orElseThrow();
            assertTrue(r.contains(String.format(Locale.ROOT, "%.4f (%+.4f)", acc, acc - en)), r);
        }
    }

    private static List<Sentence> sentences(Path f) {
        return DataReaders.read(f).sentences();
    }

    private static double majority(List<Sentence> gold) {
        Map<String, Integer> n = new HashMap<>();
        int total = 0;
        for (Sentence s : gold)
            for (String t : s.labels()) { n.merge(t, 1, Integer::sum); total++; }
        return n.values().stream().mapToInt(Integer::intValue).max().orElse(0) / (double) total;
    }
}
