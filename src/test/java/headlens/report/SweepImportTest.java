package headlens.report;

import com.fasterxml.jackson.databind.JsonNode;
import headlens.cli.Main;
import headlens.core.Json;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The committed MiniLM sweeps of {@code benchmarks/heads/} read through {@code --sweep}: the honest selection (k on dev,
 * test once) must agree with the one {@code headlens sweep} itself wrote into each {@code results.json}
 * ({@code sweep.SweepReport.select}, a separate implementation).
 */
class SweepImportTest {
    @TempDir
    Path tmp;

    @Test
    void honestSelectionAgreesWithTheSweepsOwn() throws Exception {
        String pos = "benchmarks/heads/ewt-pos-minilm", ner = "benchmarks/heads/wikiann-en-ner-minilm";
        assertEquals(0, Main.run("report", "--sweep", "pos:en:" + pos, "--sweep", "ner:en:" + ner, "--to", tmp.toString(), "--resamples", "100"));
        Document html = Jsoup.parse(Files.readString(tmp.resolve("report.html")));
        for (String[] c : new String[][]{{pos, "honest-pos-accuracy"}, {ner, "honest-ner-f1"}}) {
            JsonNode sel = Json.MAPPER.readTree(Path.of(c[0], "results.json").toFile()).path("selection").path("lowest").path("en");
            JsonNode base = Json.MAPPER.readTree(Path.of(c[0], "trials/base-k00.json").toFile()).path("scores").path("en");
            Element table = html.selectFirst("table[id^=" + c[1] + "]");
            List<String> row = table.select("tbody tr").first().select("td").stream().map(Element::text).toList();
            assertEquals("EN→EN", row.get(0));
            assertEquals(sel.path("best_k").asText(), row.get(1), c[0]);
            assertEquals(String.format(Locale.ROOT, "%.2f", 100 * base.path("test").asDouble()), row.get(2));
            assertEquals(String.format(Locale.ROOT, "%.2f", 100 * sel.path("test").asDouble()), row.get(3));
            assertEquals(String.format(Locale.ROOT, "%+.2f", 100 * sel.path("test_gain").asDouble()), row.get(4), "no interval: no per-sentence statistics");
        }
        // the cross-lingual heads file of the POS sweep: ρ(en, de) as benchmarks/heads/README.md states it
        Element sp = html.selectFirst("table[id^=spearman-ewt-pos-minilm-cross-lingual-heads]");
        assertTrue(sp.select("tbody tr").first().text().startsWith("en 1.000 0.546 0.404 0.442 0.484"), sp.text());
    }
}
