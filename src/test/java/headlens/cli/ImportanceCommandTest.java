package headlens.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import headlens.heads.ImportanceReport;
import headlens.testing.TinyRunDir;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** {@code headlens importance} end to end on a tiny RUN_DIR: tables per language, ranking, Spearman, heatmaps. */
class ImportanceCommandTest {
    @TempDir static Path tmp;
    static Fixture f;
    static String err;   // what the fixture's importance run printed

    /** A tiny RUN_DIR, en and de data, and the heads.json (with entropy) and heatmaps {@code importance} made of them. */
    record Fixture(Path run, Path en, Path de, Path heads, Path plots) {
        static Fixture create(Path tmp) throws Exception {
            Fixture f = new Fixture(TinyRunDir.create(tmp.resolve("run")), TinyRunDir.data(tmp.resolve("en.tsv"), "en", 40, 1),
                    TinyRunDir.data(tmp.resolve("de.tsv"), "de", 30, 2), tmp.resolve("heads.json"), tmp.resolve("plots"));
            Run r = cli("importance", "--model", f.run().toString(), "--data", f.en().toString(), f.de().toString(),
                    "--output", f.heads().toString(), "--plot", f.plots().resolve("heads.png").toString(), "--entropy", "--released", "--batch-size", "8");
            assertEquals(0, r.rc(), r.err());
            err = r.err();
            return f;
        }
    }

    /** Exit code and standard error of one CLI run. */
    record Run(int rc, String err) {}

    static Run cli(String... args) {
        PrintStream old = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true));
        int rc;
        try {
            rc = Main.run(args);
        } finally {
            System.setErr(old);
            old.print(buf);
        }
        return new Run(rc, buf.toString());
    }

    @BeforeAll
    static void setUp() throws Exception {
        f = Fixture.create(tmp);
    }

    @Test
    void importanceWritesTablesRankingSpearmanAndHeatmaps() throws Exception {
        JsonNode j = new ObjectMapper().readTree(f.heads().toFile());
        assertEquals(3, j.get("num_hidden_layers").asInt());
        assertEquals(List.of("en", "de"), iter(j.get("languages").fieldNames()));
        assertEquals(40, j.at("/languages/en/sentences").asInt());
        assertEquals(3, j.at("/languages/de/gradient/raw").size());
        assertTrue(j.at("/languages/de/entropy/raw/0/0").asDouble() > 0);
        // --released: the K/V table, and the printed rho is that of the two tables' normalised scores as written
        double[][] kv = new double[3][], g = new double[3][];
        for (int l = 0; l < 3; l++) {
            kv[l] = new ObjectMapper().convertValue(j.at("/languages/de/released_kv/normalized/" + l), double[].class);
            g[l] = new ObjectMapper().convertValue(j.at("/languages/de/gradient/normalized/" + l), double[].class);
        }
        double want = headlens.heads.Spearman.rho(java.util.Arrays.stream(g).flatMapToDouble(java.util.Arrays::stream).toArray(),
                java.util.Arrays.stream(kv).flatMapToDouble(java.util.Arrays::stream).toArray());
        assertTrue(err.contains(String.format(java.util.Locale.ROOT, "de: Spearman's rho, gate ranking vs the released code's K/V ranking: %.3f", want)), err);
        assertEquals(12, j.at("/aggregate/ranking").size());
        assertEquals(1.0, j.at("/spearman/en/en").asDouble(), 1e-12);
        double rho = j.at("/spearman/en/de").asDouble();
        assertTrue(rho >= -1 && rho <= 1);
        assertEquals(rho, j.at("/spearman/de/en").asDouble(), 1e-12);
        for (String name : List.of("heads-en.png", "heads-en.svg", "heads-de.png", "heads-aggregate.png"))
            assertTrue(Files.size(f.plots().resolve(name)) > 1000, name);
        // the file reads back with the same ranking
        ImportanceReport back = ImportanceReport.read(f.heads());
        assertEquals(j.at("/aggregate/ranking/0").asText(), back.aggregate().ascending().get(0).toString());
    }

    @Test
    void badMethodIsAClearError() {
        Run r = cli("importance", "--model", f.run().toString(), "--data", f.en().toString(), "--method", "x", "--output", tmp.resolve("h.json").toString());
        assertEquals(2, r.rc());
        assertTrue(r.err().contains("--method must be gradient or token"), r.err());
    }

    static List<String> iter(Iterator<String> it) {
        List<String> r = new ArrayList<>();
        it.forEachRemaining(r::add);
        return r;
    }
}
