package headlens.eval;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Default (conlleval) mode against the output of the reference conlleval.pl on seeded random, often ill-formed tags. */
class ConllevalGoldenTest {
    private static final Pattern TOTALS = Pattern.compile(
            "processed (\\d+) tokens with (\\d+) phrases; found: (\\d+) phrases; correct: (\\d+)\\.");
    private static final Pattern ACCURACY = Pattern.compile("accuracy:\\s+([\\d.]+)%");
    private static final Pattern TYPE = Pattern.compile(
            "\\s*(\\S+): precision:\\s+([\\d.]+)%; recall:\\s+([\\d.]+)%; FB1:\\s+([\\d.]+)\\s+(\\d+)");

    /** Gold and predicted label sequences of a golden file ("word gold pred" per line, blank between sentences, # comments). */
    record Pairs(List<List<String>> gold, List<List<String>> pred) {}

    static Pairs pairs(String text) {
        List<List<String>> gold = new ArrayList<>(), pred = new ArrayList<>();
        List<String> g = new ArrayList<>(), p = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.startsWith("#")) continue;
            if (line.isBlank()) {
                if (!g.isEmpty()) { gold.add(g); pred.add(p); g = new ArrayList<>(); p = new ArrayList<>(); }
                continue;
            }
            String[] f = line.split(" ");
            g.add(f[1]);
            p.add(f[2]);
        }
        if (!g.isEmpty()) { gold.add(g); pred.add(p); }
        return new Pairs(gold, pred);
    }

    @ParameterizedTest
    @ValueSource(strings = {"random-iob.txt", "random-ioe.txt"})
    void matchesConllevalPl(String name) throws IOException {
        ConllevalGoldenTest.Pairs pairs = ConllevalGoldenTest.pairs(resource(name));
        List<List<String>> gold = pairs.gold(), pred = pairs.pred();

        String expected = resource(name + ".conlleval");
        Matcher t = TOTALS.matcher(expected);
        assertTrue(t.find());
        EntityScores s = SeqevalMetrics.evaluate(gold, pred);
        TokenScores acc = TokenAccuracy.evaluate(gold, pred);
        assertEquals(Integer.parseInt(t.group(1)), acc.total(), "tokens");
        assertEquals(Integer.parseInt(t.group(2)), s.micro().support(), "gold phrases");
        assertEquals(Integer.parseInt(t.group(3)), s.micro().predicted(), "found phrases");
        assertEquals(Integer.parseInt(t.group(4)), s.micro().correct(), "correct phrases");
        Matcher a = ACCURACY.matcher(expected);
        assertTrue(a.find());
        assertEquals(a.group(1), pct(acc.accuracy()), "accuracy");

        int types = 0;
        for (String line : expected.split("\n")) {
            Matcher m = TYPE.matcher(line);
            if (!m.matches()) continue;
            types++;
            Prf prf = s.perType().get(m.group(1));
            assertNotNull(prf, m.group(1));
            assertEquals(m.group(2), pct(prf.precision()), m.group(1) + " precision");
            assertEquals(m.group(3), pct(prf.recall()), m.group(1) + " recall");
            assertEquals(m.group(4), pct(prf.f1()), m.group(1) + " FB1");
            assertEquals(Integer.parseInt(m.group(5)), prf.predicted(), m.group(1) + " found");
        }
        assertEquals(types, s.perType().size());
    }

    private static String pct(double v) { return String.format(Locale.ROOT, "%.2f", 100 * v); }

    private static String resource(String name) throws IOException {
        try (InputStream in = ConllevalGoldenTest.class.getResourceAsStream("/headlens/eval/golden-conlleval/" + name)) {
            assertNotNull(in, name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
