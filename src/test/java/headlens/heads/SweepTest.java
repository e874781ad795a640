package headlens.heads;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import headlens.cli.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** A whole sweep (trials, controls, iterative mode, report) on the tiny model, then a resumed run after a lost trial. */
class SweepTest {
    @TempDir Path tmp;

    @Test
    void sweepRunsReportsAndResumes() throws Exception {
        Path model = tmp.resolve("pretrained");
        TinyRunDir.createPretrained(model);
        Path en = TinyRunDir.data(tmp.resolve("en-train.tsv"), "en", 48, 3), enDev = TinyRunDir.data(tmp.resolve("en-dev.tsv"), "en", 16, 4);
        Path deDev = TinyRunDir.data(tmp.resolve("de-dev.tsv"), "de", 16, 5), deTest = TinyRunDir.data(tmp.resolve("de-test.tsv"), "de", 16, 6);
        Path out = tmp.resolve("out"), yaml = tmp.resolve("sweep.yaml");
        Files.writeString(yaml, String.join("\n",
                "name: tiny",
                "model: " + model,
                "output: " + out,
                "work: " + tmp.resolve("work"),
                "train: [{file: " + en + "}]",
                "source_dev: [{file: " + enDev + "}]",
                "targets:",
                "  en: {dev: " + enDev + "}",
                "  de: {dev: " + deDev + ", test: " + deTest + "}",
                "training: {lr: 3.0e-3, epochs: 3, batch_size: 8, max_length: 32, seed: 3}",
                "k_max: 2",
                "controls: [highest, random]",
                "mode: both",
                "iterative: {fraction: 0.25, threshold: 0.5, max_rounds: 3}",
                ""));
        assertEquals(0, Main.run("sweep", "--config", yaml.toString()));
        List<String> trials = names(out.resolve("trials"));
        assertEquals(List.of("base-k00.json", "highest-k01.json", "highest-k02.json", "lowest-k01.json", "lowest-k02.json",
                "random-k01.json", "random-k02.json"), trials);
        ObjectMapper json = new ObjectMapper();
        ImportanceReport heads = ImportanceReport.read(out.resolve("heads.json"));
        assertEquals(List.of("en"), heads.rankingLanguages());
        assertEquals(List.of("en", "de"), List.copyOf(heads.languages().keySet()));
        JsonNode base = json.readTree(out.resolve("trials/base-k00.json").toFile());
        assertTrue(base.get("source_dev").asDouble() > 0.3, "the tiny tagger learns something: " + base);
        JsonNode low2 = json.readTree(out.resolve("trials/lowest-k02.json").toFile());
        JsonNode high2 = json.readTree(out.resolve("trials/highest-k02.json").toFile());
        List<HeadId> asc = heads.aggregate().ascending();
        assertEquals(List.of(asc.get(0).toString(), asc.get(1).toString()).stream().sorted().toList(), strings(low2.get("heads")));
        assertEquals(List.of(asc.get(10).toString(), asc.get(11).toString()).stream().sorted().toList(), strings(high2.get("heads")));
        assertTrue(low2.at("/scores/de/test").isNumber() && low2.at("/scores/en/dev").isNumber());
        // iterative: 3 heads (25% of 12) per round, stops below 0.5 x unpruned or after 3 rounds
        List<String> rounds = names(out.resolve("iterative"));
        assertFalse(rounds.isEmpty());
        JsonNode r1 = json.readTree(out.resolve("iterative/round-01.json").toFile());
        assertEquals(3, r1.get("masked").size());
        String csv = Files.readString(out.resolve("results.csv"));
        // 3 orders x 3 k x (en dev, de dev, de test, source dev)
        assertEquals(1 + 3 * 3 * 4, csv.lines().count(), csv);
        String md = Files.readString(out.resolve("results.md"));
        assertTrue(md.contains("## lowest — test") && md.contains("## Iterative pruning") && md.contains("Spearman"), md);
        for (String f : List.of("curve-dev.png", "curve-test.svg", "iterative.png", "heads-en.png", "heads-de.svg", "heads-ranking.png", "results.json"))
            assertTrue(Files.isRegularFile(out.resolve(f)), f);

        // resume: a lost trial is redone (with the same, seeded, result); finished ones are not touched
        JsonNode lost = json.readTree(out.resolve("trials/random-k02.json").toFile());
        Files.delete(out.resolve("trials/random-k02.json"));
        FileTime kept = Files.getLastModifiedTime(out.resolve("trials/lowest-k01.json"));
        assertEquals(0, Main.run("sweep", "--config", yaml.toString()));
        assertEquals(kept, Files.getLastModifiedTime(out.resolve("trials/lowest-k01.json")));
        JsonNode redone = json.readTree(out.resolve("trials/random-k02.json").toFile());
        assertEquals(lost.get("heads"), redone.get("heads"));
        assertEquals(lost.get("scores"), redone.get("scores"));
        assertEquals(lost.get("source_dev"), redone.get("source_dev"));
    }

    static List<String> names(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".json")).sorted().toList();
        }
    }

    static List<String> strings(JsonNode a) {
        List<String> r = new ArrayList<>();
        a.forEach(x -> r.add(x.asText()));
        return r.stream().sorted().toList();
    }
}
