package headlens.report;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The numbers of Ma et al. (ACL 2021) that the report sets beside ours: Tables 2–4 and the Spearman ρ of Fig. 1,
 * transcribed from {@code shared/reference/ma2021.md} into {@code headlens/report/ma2021-tables.csv} and
 * {@code ma2021-spearman.csv}, footnote 6 into {@code ma2021-mean-k.csv} (a test checks them against that file). Scores are seqeval F1 ×100.
 */
public final class PaperNumbers {
    /** One row of Tables 2–4: unpruned and best-pruned, cross- and multi-lingual. */
    public record Row(double unpCr, double unpMul, double prCr, double prMul) {}

    private final Map<String, Row> tables = new LinkedHashMap<>();
    private final Map<String, Double> spearman = new LinkedHashMap<>();
    private final Map<String, Double> meanK = new LinkedHashMap<>();

    private static final PaperNumbers INSTANCE = new PaperNumbers();

    public static PaperNumbers get() { return INSTANCE; }

    private PaperNumbers() {
        for (String[] c : csv("ma2021-tables.csv", 8))
            tables.put(key(c[0], c[1], c[2], c[3]), new Row(Double.parseDouble(c[4]), Double.parseDouble(c[5]),
                    Double.parseDouble(c[6]), Double.parseDouble(c[7])));
        for (String[] c : csv("ma2021-spearman.csv", 5)) spearman.put(key(c[0], c[1], c[2], c[3]), Double.parseDouble(c[4]));
        for (String[] c : csv("ma2021-mean-k.csv", 3)) meanK.put(key(c[0], c[1]), Double.parseDouble(c[2]));
    }

    /** The paper's model column for one of ours: xlmr for an XLM-R encoder, else mbert. */
    public static String paperModel(String model) {
        return model.toLowerCase(Locale.ROOT).contains("xlm") ? "xlmr" : "mbert";
    }

    /** The row for (task, paper model, source, target), or null. */
    public Row row(String task, String model, String source, String target) { return tables.get(key(task, model, source, target)); }

    /** ρ between two languages' rankings (either order), or null. */
    public Double spearman(String task, String model, String a, String b) {
        Double v = spearman.get(key(task, model, a, b));
        return v != null ? v : spearman.get(key(task, model, b, a));
    }

    /** Footnote 6: the mean number of heads pruned at the best k, or null. */
    public Double meanK(String task, String model) { return meanK.get(key(task, model)); }

    public Map<String, Row> tables() { return tables; }

    /**
     * The paper's headline aggregates as its text states them (ma2021.md, "Headline aggregates"), which differ in places
     * from what its own tables give (the summary's "paper, all its pairs" columns are recomputed from the tables).
     */
    public static String stated(String task) {
        return switch (task) {
            case "pos" -> "pruning helps in 88 of 96 pairs (its Table 2 gives 90); mean gain mBERT +0.91 cross / +0.15 multi, XLM-R +1.78 / +0.17";
            case "ner" -> "19 of 96 cases not improved; mean gain mBERT +0.81 cross / +0.31 multi, XLM-R +1.08 / +0.67 (its Table 3 gives mBERT +1.14 / +0.55, XLM-R +1.61 / +0.67)";
            case "slot" -> "31 of 34 pairs improve (no mean stated; its Table 4 gives mBERT +3.28 cross / +0.41 multi)";
            default -> null;
        };
    }

    private static String key(String... parts) { return String.join("|", parts); }

    private static Iterable<String[]> csv(String name, int columns) {
        try (InputStream in = PaperNumbers.class.getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException("resource headlens/report/" + name + " missing from the jar");
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            java.util.List<String[]> rows = new java.util.ArrayList<>();
            boolean header = true;
            for (String line; (line = r.readLine()) != null; ) {
                if (line.startsWith("#") || line.isBlank()) continue;
                if (header) { header = false; continue; }
                String[] c = line.split(",");
                if (c.length != columns) throw new IllegalStateException(name + ": row '" + line + "' has " + c.length + " columns, not " + columns);
                rows.add(c);
            }
            return rows;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
