package headlens.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import headlens.cli.Main;
import headlens.core.HeadlensException;
import headlens.eval.SeqevalMetrics;
import headlens.heads.HeadScores;
import headlens.heads.ImportanceReport;
import headlens.model.HeadId;
import headlens.report.RunResult;
import headlens.testing.TinyRunDir;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
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
        // a 17th German dev sentence of 40 words, longer than max_length 32: it is scored as several windows
        String word = Files.readAllLines(deDev).get(0);
        Files.writeString(deDev, (word + "\n").repeat(40) + "\n", java.nio.file.StandardOpenOption.APPEND);
        Path out = tmp.resolve("out"), yaml = tmp.resolve("sweep.yaml");
        Files.writeString(yaml, String.join("\n",
                "name: tiny",
                "model: " + model,
                "output: " + out,
                "work: " + tmp.resolve("work"),
                "train: [{file: " + en + "}]",
                "source_dev: [{file: " + enDev + ", max_sentences: 12}]",   // a part of en's target dev: en is ranked on both
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
        // the pruning ranking is the source dev's (12 sentences); en's own table is its whole target dev (16)
        assertEquals(List.of("en-source-dev"), heads.rankingLanguages());
        assertEquals(List.of("en-source-dev", "en", "de"), List.copyOf(heads.languages().keySet()));
        assertEquals(12, heads.languages().get("en-source-dev").sentences());
        assertEquals(16, heads.languages().get("en").sentences());
        assertArrayEquals(heads.languages().get("en-source-dev").gradient().raw()[0], heads.aggregate().raw()[0], 0);
        assertFalse(java.util.Arrays.equals(heads.languages().get("en").gradient().raw()[0], heads.aggregate().raw()[0]),
                "en's target-dev table is its own, not the source-dev part");
        // sentences count sentences; the long one adds a window
        assertEquals(17, heads.languages().get("de").sentences());
        assertEquals(17, heads.info().at("/sentences/de").asInt());
        assertTrue(heads.info().at("/windows/de").asInt() > 17, heads.info().toString());
        assertEquals(16, heads.info().at("/windows/en").asInt());
        for (var l : heads.languages().values()) {   // the released code's K/V table, read back with its L1 normalisation
            double[][] kv = l.released().raw();
            assertArrayEquals(HeadScores.normalize(kv, true)[0], l.released().normalized()[0], 0);
            assertTrue(java.util.Arrays.stream(kv).flatMapToDouble(java.util.Arrays::stream).allMatch(v -> v > 0), "K/V sums");
        }
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
        // one result file per evaluated unit, re-summing to the scores of results.json; heads.json names its task
        assertEquals(trials, names(out.resolve("results")));
        assertResultFiles(out, "ner", Map.of("en/dev", enDev, "de/dev", deDev, "de/test", deTest), 48, 3);
        assertEquals("ner", heads.info().get("task").asText());
        RunResult r0 = RunResult.read(out.resolve("results/base-k00.json"));
        assertTrue(r0.run().wallSeconds() > 0 && r0.run().peakRssBytes() > 0 && r0.run().batchSize() == 8 && r0.run().maxLength() == 32, r0.run().toString());
        assertEquals("pretrained", r0.model());

        // headlens report on the sweep's output: the trials' rows, with intervals, and the heads file under its task
        Path rep = tmp.resolve("report");
        assertEquals(0, Main.run("report", "--runs", out.toString(), "--to", rep.toString(), "--resamples", "200"));
        String report = Files.readString(rep.resolve("report.md"));
        assertTrue(report.contains("Runs: 7 result files in 1 experiments; 1 heads files."), report);
        assertCurveRows(report, "de", List.of(0, 1, 2));
        assertTrue(Files.isRegularFile(rep.resolve("report.html")));

        // resume: a lost trial is redone (with the same, seeded, result); finished ones are not touched
        JsonNode lost = json.readTree(out.resolve("trials/random-k02.json").toFile());
        JsonNode lostResult = SweepDistributedTest.read(out.resolve("results/random-k02.json"));
        Files.delete(out.resolve("trials/random-k02.json"));
        Files.delete(out.resolve("results/random-k02.json"));
        // a partly finished sweep reports too
        assertEquals(0, Main.run("report", "--runs", out.toString(), "--to", tmp.resolve("partial").toString(), "--resamples", "200"));
        String partial = Files.readString(tmp.resolve("partial/report.md"));
        assertTrue(partial.contains("Runs: 6 result files in 1 experiments"), partial);
        assertCurveRows(partial, "de", List.of(0, 1, 2));
        FileTime kept = Files.getLastModifiedTime(out.resolve("trials/lowest-k01.json"));
        assertEquals(0, Main.run("sweep", "--config", yaml.toString()));
        assertEquals(kept, Files.getLastModifiedTime(out.resolve("trials/lowest-k01.json")));
        JsonNode redone = json.readTree(out.resolve("trials/random-k02.json").toFile());
        assertEquals(lost.get("heads"), redone.get("heads"));
        assertEquals(lost.get("scores"), redone.get("scores"));
        assertEquals(lost.get("source_dev"), redone.get("source_dev"));
        assertEquals(SweepDistributedTest.normalize(lostResult), SweepDistributedTest.normalize(SweepDistributedTest.read(out.resolve("results/random-k02.json"))));
    }

    /**
     * A seed replicate ({@code sweep --seed}): its own name, output and work, no ranking of its own, trials that mask the
     * heads of the grid's heads.json (and refuse to run before it exists), and a report that sets it beside the grid.
     */
    @Test
    void seedReplicateMasksTheGridsHeads() throws Exception {
        SweepFixture.data(tmp);   // the tiny model and en/de data
        Path model = tmp.resolve("pretrained"), en = tmp.resolve("en-train.tsv"), enDev = tmp.resolve("en-dev.tsv");
        Path deDev = tmp.resolve("de-dev.tsv"), deTest = tmp.resolve("de-test.tsv");
        Path runs = tmp.resolve("runs"), out = runs.resolve("grid"), yaml = tmp.resolve("grid.yaml");
        Files.writeString(yaml, "name: tiny-grid\n" + trialsOnly(model, out + "/", tmp.resolve("work"), en, enDev, deDev, deTest));
        SweepConfig grid = SweepConfig.read(yaml);
        SweepConfig rep = grid.withSeed(5);
        assertEquals("tiny-grid-seed5", rep.name());
        assertEquals(out + "-seed5", rep.output());
        assertEquals(tmp.resolve("work") + "-seed5", rep.work());
        assertEquals(5, rep.training().get("seed").asLong());
        assertEquals(3, grid.training().get("seed").asLong(), "the grid's config is left as it was");
        assertEquals(List.of("base-k00", "lowest-k01", "lowest-k02"),
                Sweep.replicate(grid, 5, System.err).plan().units().stream().map(SweepPlan.Unit::id).toList());
        assertTrue(Sweep.replicate(grid, 5, System.err).plan().byId("lowest-k01").dependsOn().isEmpty());
        assertEquals(2, Main.run("sweep", "--config", yaml.toString(), "--seed", "3", "--plan"), "the grid's own seed is no replicate");
        Path repOut = Path.of(rep.output());
        assertNotEquals(0, Main.run("sweep", "--config", yaml.toString(), "--seed", "5", "--trial", "lowest-k01"), "no heads.json yet");
        assertFalse(Files.exists(repOut.resolve("trials/lowest-k01.json")));

        assertEquals(0, Main.run("sweep", "--config", yaml.toString(), "--trial", "base-k00", "--trial", "heads", "--trial", "lowest-k02"));
        assertEquals(0, Main.run("sweep", "--config", yaml.toString(), "--seed", "5", "--trial", "base-k00", "--trial", "lowest-k02"));
        assertFalse(Files.exists(repOut.resolve("heads.json")), "a replicate ranks nothing");
        ObjectMapper json = new ObjectMapper();
        List<HeadId> asc = ImportanceReport.read(out.resolve("heads.json")).aggregate().ascending();
        List<String> lowest2 = List.of(asc.get(0).toString(), asc.get(1).toString()).stream().sorted().toList();
        JsonNode g2 = json.readTree(out.resolve("trials/lowest-k02.json").toFile()), r2 = json.readTree(repOut.resolve("trials/lowest-k02.json").toFile());
        assertEquals(lowest2, strings(g2.get("heads")));
        assertEquals(lowest2, strings(r2.get("heads")), "the replicate masks the grid's lowest-ranked heads");
        RunResult gr = RunResult.read(out.resolve("results/lowest-k02.json")), rr = RunResult.read(repOut.resolve("results/lowest-k02.json"));
        assertEquals(3, gr.seed());
        assertEquals(5, rr.seed());
        assertNotEquals(Files.readString(tmp.resolve("work/trials/lowest-k02/logs/train.jsonl")),
                Files.readString(Path.of(rep.work()).resolve("trials/lowest-k02/logs/train.jsonl")), "another seed trains otherwise");
        // the report puts the replicate beside the grid: its k = 0 as the seed control, its trial repeated
        Path report = tmp.resolve("report");
        assertEquals(0, Main.run("report", "--runs", runs.toString(), "--to", report.toString(), "--resamples", "200"));
        String md = Files.readString(report.resolve("report.md"));
        assertTrue(md.contains("Runs: 4 result files in 1 experiments and 1 seed control(s)"), md);
        assertTrue(md.contains("trials repeated with seed 5"), md);

        // the config's learning rate changed after the grid ran: its finished units are another grid's, so the sweep
        // names the file and stops instead of skipping k = 0 as done and training a new trial against its ranking
        Files.writeString(yaml, Files.readString(yaml).replace("lr: 3.0e-3", "lr: 1.0e-3"));
        Sweep changed = new Sweep(SweepConfig.read(yaml), System.err);
        HeadlensException e = assertThrows(HeadlensException.class, () -> changed.runUnit(changed.plan().byId("lowest-k01")));
        assertTrue(e.getMessage().startsWith(out.resolve("results/base-k00.json") + ": unit base-k00 was trained with other settings"), e.getMessage());
        assertTrue(e.getMessage().contains("lr 0.003, now 0.001"), e.getMessage());
        assertFalse(Files.exists(out.resolve("trials/lowest-k01.json")));
        assertNotEquals(0, Main.run("sweep", "--config", yaml.toString(), "--trial", "lowest-k02"), "a done trial is checked too");
    }

    /**
     * POS labels (so task pos, inferred) and both masking variants: the train-only trials are their own units (the
     * train+eval ids unchanged), their result files say train-only, and the paper's POS F1 sits beside token accuracy.
     */
    @Test
    void posSweepWithBothMaskingVariants() throws Exception {
        Path model = tmp.resolve("pretrained");
        TinyRunDir.createPretrained(model);
        Path en = pos(TinyRunDir.data(tmp.resolve("en-train.tsv"), "en", 40, 3)), enDev = pos(TinyRunDir.data(tmp.resolve("en-dev.tsv"), "en", 16, 4));
        Path deDev = pos(TinyRunDir.data(tmp.resolve("de-dev.tsv"), "de", 16, 5)), deTest = pos(TinyRunDir.data(tmp.resolve("de-test.tsv"), "de", 16, 6));
        Path out = tmp.resolve("out");
        String common = trialsOnly(model, out.toString(), tmp.resolve("work"), en, enDev, deDev, deTest);
        Path plain = tmp.resolve("plain.yaml"), both = tmp.resolve("both.yaml");
        Files.writeString(plain, "name: tiny-pos\n" + common);
        Files.writeString(both, "name: tiny-pos\nmasking: [train+eval, train-only]\n" + common);
        assertEquals(List.of("base-k00", "heads", "lowest-k01", "lowest-k02"),
                new Sweep(SweepConfig.read(plain), System.err).plan().units().stream().map(SweepPlan.Unit::id).toList());
        SweepPlan plan = new Sweep(SweepConfig.read(both), System.err).plan();
        assertEquals(List.of("base-k00", "heads", "lowest-k01", "lowest-k02", "lowest-k01-train-only", "lowest-k02-train-only"),
                plan.units().stream().map(SweepPlan.Unit::id).toList());
        assertEquals("trials/train-only/lowest-k01.json", plan.byId("lowest-k01-train-only").result());
        Path bad = tmp.resolve("bad.yaml");
        Files.writeString(bad, "name: tiny-pos\nmasking: [eval-only]\n" + common);
        assertEquals(2, Main.run("sweep", "--config", bad.toString(), "--plan"));
        assertEquals(0, Main.run("sweep", "--config", both.toString()));

        assertEquals(List.of("base-k00.json", "lowest-k01-train-only.json", "lowest-k01.json", "lowest-k02-train-only.json", "lowest-k02.json"),
                names(out.resolve("results")));
        Map<String, Path> sets = Map.of("en/dev", enDev, "de/dev", deDev, "de/test", deTest);
        assertResultFiles(out, "pos", sets, 40, 2);
        ObjectMapper json = new ObjectMapper();
        JsonNode results = json.readTree(out.resolve("results.json").toFile());
        assertEquals(2, results.get("train_only").size());
        boolean differs = false;
        for (int k = 1; k <= 2; k++) {
            String id = String.format("lowest-k%02d", k);
            RunResult te = RunResult.read(out.resolve("results/" + id + ".json")), to = RunResult.read(out.resolve("results/" + id + "-train-only.json"));
            JsonNode trial = json.readTree(out.resolve("trials/train-only/" + id + ".json").toFile());
            assertEquals("train-only", to.masking());
            assertEquals("train-only", trial.get("masking").asText());
            assertEquals(te.heads(), to.heads(), "the same heads in both variants");
            assertEquals(k, to.heads().size());
            assertResummed(trial, to, "pos", sets);
            for (String ls : sets.keySet()) {
                String[] p = ls.split("/");
                differs |= !java.util.Arrays.deepEquals(te.results().get(p[0]).get(p[1]).metrics().get("accuracy").stats().columns(),
                        to.results().get(p[0]).get(p[1]).metrics().get("accuracy").stats().columns());
            }
        }
        assertTrue(differs, "evaluating with the masked heads active changes some prediction");

        // the paper's POS F1: its gold side (tp + fn per sentence) is seqeval 0.0.12's chunk count of the gold tags
        RunResult r0 = RunResult.read(out.resolve("results/base-k00.json"));
        for (var e : sets.entrySet()) {
            String[] p = e.getKey().split("/");
            RunResult.Metric f1 = r0.results().get(p[0]).get(p[1]).metrics().get("paper_f1");
            assertNotNull(f1, e.getKey());
            List<List<String>> gold = labels(e.getValue());
            int[] g = f1.stats().goldSizes();
            for (int s = 0; s < gold.size(); s++)
                assertEquals(SeqevalMetrics.evaluateSeqeval0012(List.of(gold.get(s)), List.of(gold.get(s))).micro().support(), g[s], e.getKey() + " sentence " + s);
        }

        Path rep = tmp.resolve("report");
        assertEquals(0, Main.run("report", "--runs", out.toString(), "--to", rep.toString(), "--resamples", "200"));
        String report = Files.readString(rep.resolve("report.md"));
        assertTrue(report.contains("Masked at training and evaluation vs at training only"), report);
        assertTrue(report.contains("masked train-only"), report);
    }

    /** A copy of a tiny data file with POS-like tags for its NER-like ones (O, B-PER, I-PER: learnable from the word). */
    static Path pos(Path tsv) throws Exception {
        Files.writeString(tsv, Files.readString(tsv).replace("\tO\n", "\tNOUN\n").replace("\tB-PER\n", "\tVERB\n").replace("\tI-PER\n", "\tADJ\n"));
        return tsv;
    }

    /** The gold labels of a tiny TSV file, sentence by sentence, read here without headlens' readers. */
    static List<List<String>> labels(Path tsv) throws Exception {
        List<List<String>> r = new ArrayList<>();
        List<String> cur = new ArrayList<>();
        for (String line : Files.readAllLines(tsv)) {
            if (line.isBlank()) { if (!cur.isEmpty()) r.add(cur); cur = new ArrayList<>(); continue; }
            cur.add(line.substring(line.indexOf('\t') + 1));
        }
        if (!cur.isEmpty()) r.add(cur);
        return r;
    }

    /**
     * Every train+eval trial of results.json has results/ID.json, describing that trial, whose per-sentence statistics,
     * summed here, give the trial's scores and count the words of the evaluation files.
     */
    static void assertResultFiles(Path out, String task, Map<String, Path> sets, int trainSentences, int epochs) throws Exception {
        JsonNode rj = new ObjectMapper().readTree(out.resolve("results.json").toFile());
        for (JsonNode t : rj.get("trials")) {
            int k = t.get("k").asInt();
            String id = k == 0 ? "base-k00" : String.format("%s-k%02d", t.get("order").asText(), k);
            RunResult r = RunResult.read(out.resolve("results/" + id + ".json"));
            assertEquals(task, r.task(), id);
            assertEquals(List.of("en"), r.sources());
            assertEquals("cross", r.setting());
            assertEquals(k == 0 ? "none" : t.get("order").asText(), r.order());
            assertEquals(k, r.k());
            assertEquals(strings(t.get("heads")), r.heads());
            assertEquals("train+eval", r.masking());
            assertEquals(3, r.seed());
            assertEquals(trainSentences, r.run().trainSentences());
            assertEquals(epochs, r.run().epochs());
            assertResummed(t, r, task, sets);
        }
    }

    static void assertResummed(JsonNode trial, RunResult r, String task, Map<String, Path> sets) throws Exception {
        int cells = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = trial.get("scores").fields(); it.hasNext(); ) {
            var lang = it.next();
            for (Iterator<Map.Entry<String, JsonNode>> is = lang.getValue().fields(); is.hasNext(); ) {
                var split = is.next();
                String where = lang.getKey() + "/" + split.getKey();
                RunResult.Split s = r.results().get(lang.getKey()).get(split.getKey());
                List<List<String>> gold = labels(sets.get(where));
                assertEquals(gold.size(), s.sentences(), where);
                long words = gold.stream().mapToLong(List::size).sum();
                assertEquals(words, s.tokens(), where);
                int[][] acc = s.metrics().get("accuracy").stats().columns();
                long correct = 0, total = 0;
                for (int i = 0; i < acc[0].length; i++) { correct += acc[0][i]; total += acc[1][i]; }
                assertEquals(words, total, where);
                double resummed;
                if (task.equals("pos")) resummed = (double) correct / total;
                else {
                    int[][] f = s.metrics().get("f1").stats().columns();
                    long tp = 0, fp = 0, fn = 0;
                    for (int i = 0; i < f[0].length; i++) { tp += f[0][i]; fp += f[1][i]; fn += f[2][i]; }
                    resummed = 2.0 * tp / (2 * tp + fp + fn);
                }
                assertEquals(split.getValue().asDouble(), resummed, 1e-12, where + " of " + r.order() + " k=" + r.k());
                cells++;
            }
        }
        assertEquals(3, cells, "en dev, de dev, de test");
    }

    /** report.md has a k-curve table for the target with a row per k. */
    static void assertCurveRows(String report, String target, List<Integer> ks) {
        int at = report.indexOf("→ " + target.toUpperCase(java.util.Locale.ROOT) + ": ");
        assertTrue(at >= 0, report);
        for (int k : ks) assertTrue(report.substring(at).contains("\n| " + k + " | "), "row k = " + k + "\n" + report);
    }

    /** A sweep config without its name: lowest k = 1, 2 only, en → en, de (de with test), seed 3. */
    static String trialsOnly(Path model, String out, Path work, Path en, Path enDev, Path deDev, Path deTest) {
        return String.join("\n",
                "model: " + model,
                "output: " + out,
                "work: " + work,
                "train: [{file: " + en + "}]",
                "source_dev: [{file: " + enDev + "}]",
                "targets:",
                "  en: {dev: " + enDev + "}",
                "  de: {dev: " + deDev + ", test: " + deTest + "}",
                "training: {lr: 3.0e-3, epochs: 2, batch_size: 8, max_length: 32, seed: 3}",
                "k_max: 2",
                "controls: []",
                "mode: trials",
                "");
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
