package headlens.report;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The transcribed CSVs against every number of {@code shared/reference/ma2021.md} (Tables 2–4, the Spearman lists). */
@Tag("slow")
class PaperNumbersTest {
    static final Path MD = Path.of(System.getProperty("headlens.shared", "../shared"), "reference/ma2021.md");

    @Test
    void tablesMatchTheReference() throws Exception {
        PaperNumbers p = PaperNumbers.get();
        String task = null;
        int rows = 0;
        for (String line : Files.readAllLines(MD)) {
            if (line.startsWith("## ")) task = line.startsWith("## Table 2") ? "pos" : line.startsWith("## Table 3") ? "ner"
                    : line.startsWith("## Table 4") ? "slot" : null;
            if (task == null || !line.startsWith("| ") || line.startsWith("| SL") || line.startsWith("| TL")) continue;
            String[] c = line.substring(1, line.length() - 1).split("\\|");
            String pair = c[0].trim().toLowerCase(Locale.ROOT);
            String src = pair.contains("→") ? pair.split("→")[0] : "en", tgt = pair.contains("→") ? pair.split("→")[1] : pair;
            for (int m = 0; m < 2; m++) {
                PaperNumbers.Row r = p.row(task, m == 0 ? "mbert" : "xlmr", src, tgt);
                assertNotNull(r, task + " " + pair);
                double[] want = new double[4];
                for (int i = 0; i < 4; i++) want[i] = Double.parseDouble(c[1 + 4 * m + i].trim());
                assertEquals(List.of(want[0], want[1], want[2], want[3]), List.of(r.unpCr(), r.unpMul(), r.prCr(), r.prMul()), line);
            }
            rows++;
        }
        assertEquals(24 + 24 + 8, rows);
        assertEquals(2 * rows, p.tables().size());
    }

    @Test
    void meanPrunedHeadsMatchTheReference() throws Exception {
        // "- Mean number of heads pruned at the best k (footnote 6): POS 7.52 (mBERT) / 6.58 (XLM-R), NER 7.54 / 7.28,
        //   slot filling 6.19 / 6.31."
        String text = Files.readString(MD).replaceAll("\\s+", " ");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("footnote 6\\): POS ([0-9]+\\.[0-9]+) \\(mBERT\\) / ([0-9]+\\.[0-9]+) \\(XLM-R\\), "
                + "NER ([0-9]+\\.[0-9]+) / ([0-9]+\\.[0-9]+), slot filling ([0-9]+\\.[0-9]+) / ([0-9]+\\.[0-9]+)").matcher(text);
        assertTrue(m.find(), "footnote 6 line not found");
        String[] tasks = {"pos", "ner", "slot"};
        for (int t = 0; t < 3; t++) {
            assertEquals(Double.parseDouble(m.group(1 + 2 * t)), PaperNumbers.get().meanK(tasks[t], "mbert"));
            assertEquals(Double.parseDouble(m.group(2 + 2 * t)), PaperNumbers.get().meanK(tasks[t], "xlmr"));
        }
    }

    @Test
    void spearmanMatchesTheReference() throws Exception {
        String text = Files.readString(MD);
        int checked = 0;
        for (String[] fig : new String[][]{{"POS-mBERT", "pos", "EN ZH AR FA DE HE JA NL UR"}, {"NER-mBERT", "ner", "EN ZH AR FA DE HE JA NL UR"},
                {"SF-mBERT", "slot", "EN ZH DE HI FR ES JA PT TR"}}) {
            List<String> langs = List.of(fig[2].toLowerCase(Locale.ROOT).split(" "));
            String block = text.substring(text.indexOf(fig[0] + " ("));
            block = block.substring(0, block.indexOf("\n\n"));
            for (String line : block.split("\n")) {
                if (!line.matches("- [A-Z]{2}: .*")) continue;
                String a = line.substring(2, 4).toLowerCase(Locale.ROOT);
                String[] v = line.substring(6).trim().split(" ");
                int ia = langs.indexOf(a);
                assertEquals(langs.size() - ia - 1, v.length, line);
                for (int j = 0; j < v.length; j++) {
                    String b = langs.get(ia + 1 + j);
                    assertEquals(Double.parseDouble(v[j]), PaperNumbers.get().spearman(fig[1], "mbert", b, a), 0, fig[0] + " " + a + "-" + b);
                    checked++;
                }
            }
        }
        assertEquals(3 * 36, checked);
        assertTrue(PaperNumbers.get().spearman("pos", "mbert", "en", "xx") == null);
    }
}
