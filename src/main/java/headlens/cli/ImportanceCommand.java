package headlens.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import headlens.core.HeadlensException;
import headlens.core.Json;
import headlens.data.Batches;
import headlens.data.DataReaders;
import headlens.data.Example;
import headlens.data.Sentence;
import headlens.heads.Charts;
import headlens.heads.HeadImportance;
import headlens.heads.ImportanceReport;
import headlens.model.Encoder;
import headlens.tagger.Tagger;
import headlens.tagger.TaggerDir;
import headlens.train.TokenClassifier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code headlens importance}: head importance of a fine-tuned tagger, per language, with rankings and heatmaps. */
@Command(name = "importance", mixinStandardHelpOptions = true,
        description = "Score every attention head of a fine-tuned tagger (Michel et al.'s |dL/dgate|, normalised per layer "
                + "then to [0,1]); one table per language, the aggregate ranking and Spearman's rho between languages.")
public final class ImportanceCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "Fine-tuned tagger directory (RUN_DIR).")
    Path model;
    @Option(names = "--data", required = true, arity = "1..*", description = "Labelled data files (any supported format); grouped by language.")
    List<Path> data;
    @Option(names = "--output", required = true, description = "heads.json to write.")
    Path output;
    @Option(names = "--plot", description = "Heatmap base path: writes NAME-LANG.png/.svg per language (and NAME-aggregate.* for several).")
    Path plot;
    @Option(names = "--method", defaultValue = "gradient", description = "Ranking table: gradient (Michel's I_h, default) or token (per-token |<dL/dctx, ctx>|).")
    String method;
    @Option(names = "--entropy", description = "Also record each head's attention entropy (bertology).")
    boolean entropy;
    @Option(names = "--released", description = "Also record the table Ma et al.'s released code ranks by (mean |dL/dW_K| + |dL/dW_V| "
            + "over each head's input-column block, L1 per layer; 'released_kv') and print its Spearman rho with the gate ranking.")
    boolean released;
    @Option(names = "--max-sentences", defaultValue = "0", description = "Use at most this many sentences per file (0 = all).")
    int maxSentences;
    @Option(names = "--batch-size", defaultValue = "16")
    int batchSize;
    @Option(names = "--max-length", defaultValue = "128", description = "Maximum tokens per window (default: ${DEFAULT-VALUE}).")
    int maxLength;

    @Override
    public Integer call() {
        if (!method.equals("gradient") && !method.equals("token"))
            throw new HeadlensException("--method must be gradient or token, got '" + method + "'");
        if (batchSize < 1) throw new HeadlensException("--batch-size must be at least 1");
        TaggerDir m = TaggerDir.load(model);
        boolean detail = entropy || method.equals("token");
        TokenClassifier clf = m.classifier(new Encoder.Options(false, detail));
        Map<String, List<Sentence>> byLang = new LinkedHashMap<>();
        for (Path f : data) {
            for (Sentence s : DataReaders.sentences(f, maxSentences)) {
                if (!s.isLabeled()) throw new HeadlensException(s.source() + ": sentence has no labels (importance needs labelled data)");
                byLang.computeIfAbsent(s.lang(), k -> new ArrayList<>()).add(s);
            }
        }
        Map<String, ImportanceReport.Language> langs = new LinkedHashMap<>();
        ObjectNode info = Json.MAPPER.createObjectNode();
        info.put("model", model.toString());
        info.putPOJO("data", data.stream().map(Path::toString).toList());
        for (var e : byLang.entrySet()) {
            List<Example> feats = Tagger.features(m.tokenizer(), m.labels(), e.getValue(), maxLength, Tagger.headStride(maxLength));
            long t0 = System.nanoTime();
            // batches padded one at a time as the scoring reads them (the windows' token ids are held, sorted by length
            // over the whole language as before: the sums of |gradient| per batch depend on batch composition)
            Iterable<HeadImportance.Example> batches = () -> Batches.sorted(feats, batchSize, m.config().padTokenId()).stream()
                    .map(HeadImportance.Example::of).iterator();
            HeadImportance.Result r = HeadImportance.compute(e.getKey(), clf, batches, detail, released, null);
            double secs = (System.nanoTime() - t0) / 1e9;
            info.put("seconds_" + e.getKey(), secs);
            System.err.printf(Locale.ROOT, "%s: %d sentences (%d windows), %d labelled tokens, %.1f s, split-half rho %s%n", e.getKey(),
                    e.getValue().size(), r.windows(), r.tokens(), secs, r.splitHalf() == null ? "-" : String.format(Locale.ROOT, "%.3f", r.splitHalf()));
            if (released) {
                double[][] p = r.gradient().pairedWith(r.released());
                System.err.printf(Locale.ROOT, "%s: Spearman's rho, gate ranking vs the released code's K/V ranking: %.3f%n", e.getKey(),
                        headlens.heads.Spearman.rho(p[0], p[1]));
            }
            langs.put(e.getKey(), new ImportanceReport.Language(r.gradient(), method.equals("token") || detail ? r.token() : null,
                    entropy ? r.entropy() : null, r.released(), e.getValue().size(), r.splitHalf()));
        }
        ImportanceReport rep = new ImportanceReport(m.config().numHiddenLayers(), m.config().numAttentionHeads(), method, langs, null, info);
        rep.write(output);
        System.err.println("wrote " + output);
        if (langs.size() > 1) {
            System.err.println("Spearman's rho between languages' rankings:");
            rep.spearman().forEach((a, row) -> {
                StringBuilder sb = new StringBuilder("  " + a + ":");
                row.forEach((b, v) -> sb.append(String.format(Locale.ROOT, " %s=%.3f", b, v)));
                System.err.println(sb);
            });
        }
        if (plot != null) {
            String base = plot.getFileName().toString().replaceFirst("\\.(png|svg)$", "");
            for (var e : langs.entrySet()) {
                var out = Charts.save(Charts.heatmap(e.getValue().ranking(method), "head importance: " + e.getKey()),
                        plot.resolveSibling(base + "-" + e.getKey()), 720, 480);
                System.err.println("wrote " + out.values());
            }
            if (langs.size() > 1) {
                var out = Charts.save(Charts.heatmap(rep.aggregate(), "head importance: aggregate of " + String.join(", ", langs.keySet())),
                        plot.resolveSibling(base + "-aggregate"), 720, 480);
                System.err.println("wrote " + out.values());
            }
        }
        return 0;
    }
}
