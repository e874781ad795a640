package headlens.data;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every data file of ../shared/data loads with the sentence and token counts stated in its SOURCE.md (and the README table),
 * no skipped rows, and the language of its folder. Real-data profile (tag "slow"): fails when ../shared is absent.
 */
@Tag("slow")
class RealDataTest {
    private static Path data;

    @BeforeAll
    static void locate() {
        String shared = System.getProperty("headlens.shared", "../shared");
        data = Path.of(shared, "data");
        assertTrue(Files.isDirectory(data), "this test needs ../shared/data: " + data.toAbsolutePath());
    }

    /** path, sentences, tokens: copied from the SOURCE.md tables. */
    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "ner/de/train.tsv, 20000, 195387",
            "ner/de/dev.tsv, 10000, 97805",
            "ner/de/test.tsv, 10000, 97646",
            "ner/en/train.tsv, 20000, 160394",
            "ner/en/dev.tsv, 10000, 80536",
            "ner/en/test.tsv, 10000, 80326",
            "ner/es/train.tsv, 20000, 129283",
            "ner/es/dev.tsv, 10000, 64329",
            "ner/es/test.unlabeled.tsv, 10000, 64727",
            "ner/es/alt-conll2002/esp.train, 8323, 264715",
            "ner/es/alt-conll2002/esp.testa, 1915, 52923",
            "ner/es/alt-conll2002/esp.testb, 1517, 51533",
            "ner/fr/train.tsv, 20000, 136788",
            "ner/fr/dev.tsv, 10000, 68220",
            "ner/fr/test.tsv, 10000, 68754",
            "ner/hi/train.tsv, 5000, 29443",
            "ner/hi/dev.tsv, 1000, 5808",
            "ner/hi/test.unlabeled.tsv, 1000, 6005",
            "ner/ja/train.tsv, 20000, 603301",
            "ner/ja/dev.tsv, 10000, 300844",
            "ner/ja/test.unlabeled.tsv, 10000, 306959",
            "ner/pt/train.tsv, 20000, 128345",
            "ner/pt/dev.tsv, 10000, 64114",
            "ner/pt/test.tsv, 10000, 63647",
            "ner/tr/train.tsv, 20000, 149786",
            "ner/tr/dev.tsv, 10000, 75930",
            "ner/tr/test.unlabeled.tsv, 10000, 75731",
            "ner/zh/train.tsv, 20000, 420054",
            "ner/zh/dev.tsv, 10000, 213682",
            "ner/zh/test.unlabeled.tsv, 10000, 207505",
            "pos/de/dev.conllu, 799, 12480",
            "pos/de/test.conllu, 977, 16499",
            "pos/en/dev.conllu, 2001, 25147",
            "pos/en/test.conllu, 2077, 25094",
            "pos/es/dev.conllu, 1400, 37154",
            "pos/es/test.conllu, 427, 12002",
            "pos/fr/train.conllu, 2231, 50502",
            "pos/fr/dev.conllu, 412, 9999",
            "pos/fr/test.conllu, 456, 10044",
            "pos/hi/test.conllu, 1000, 23829",
            "pos/hi/alt-xtreme-udpos/dev.tsv, 1659, 35217",
            "pos/hi/alt-xtreme-udpos/test.tsv, 2684, 59259",
            "pos/ja/train.conllu, 8277, 80172",
            "pos/ja/dev.conllu, 918, 9101",
            "pos/ja/test.conllu, 299, 2760",
            "pos/ja/alt-gsd-r2.18/dev.conllu, 507, 12287",
            "pos/ja/alt-gsd-r2.18/test.conllu, 543, 13034",
            "pos/pt/dev.conllu, 1204, 32073",
            "pos/pt/test.conllu, 1200, 31477",
            "pos/tr/train.conllu, 3435, 37522",
            "pos/tr/dev.conllu, 1100, 10542",
            "pos/tr/test.conllu, 1100, 10032",
            "pos/zh/train.conllu, 3997, 98608",
            "pos/zh/dev.conllu, 500, 12663",
            "pos/zh/test.conllu, 500, 12012",
            "pos/zh/alt-gsd-r2.17/dev.conllu, 500, 12665",
            "pos/zh/alt-gsd-r2.17/test.conllu, 500, 12010",
            "slot/ar/dev.conll, 300, 2104",
            "slot/ar/test.conll, 500, 3486",
            "slot/da/dev.conll, 300, 2306",
            "slot/da/test.conll, 500, 3859",
            "slot/de-ba/dev.conll, 300, 2266",
            "slot/de-ba/test.conll, 500, 3775",
            "slot/de-muc/dev.conll, 300, 2345",
            "slot/de-muc/test.conll, 500, 3926",
            "slot/de-st/dev.conll, 300, 2309",
            "slot/de-st/test.conll, 500, 3730",
            "slot/de/dev.conll, 300, 2311",
            "slot/de/test.conll, 500, 3791",
            "slot/en/dev.conll, 300, 2303",
            "slot/en/test.conll, 500, 3791",
            "slot/en/train.text.en, 43605, 341184",
            "slot/en/train.label.en, 43605, 341184",
            "slot/gsw/dev.conll, 300, 2524",
            "slot/gsw/test.conll, 500, 4070",
            "slot/id/dev.conll, 300, 2254",
            "slot/id/test.conll, 500, 3662",
            "slot/it/dev.conll, 300, 2289",
            "slot/it/test.conll, 500, 3741",
            "slot/ja/dev.conll, 150, 1450",
            "slot/ja/test.conll, 250, 2420",
            "slot/kk/dev.conll, 300, 1935",
            "slot/kk/test.conll, 500, 3234",
            "slot/lt/dev.conll, 300, 1966",
            "slot/lt/test.conll, 500, 3121",
            "slot/nap/dev.conll, 300, 2367",
            "slot/nap/test.conll, 500, 3786",
            "slot/nl/dev.conll, 300, 2312",
            "slot/nl/test.conll, 500, 3837",
            "slot/no/dev.conll, 3300, 26114",
            "slot/no/test.conll, 5500, 42250",
            "slot/sr/dev.conll, 300, 2285",
            "slot/sr/test.conll, 500, 3948",
            "slot/tr/dev.conll, 300, 1913",
            "slot/tr/test.conll, 500, 3151",
            "slot/zh/dev.conll, 300, 2154",
            "slot/zh/test.conll, 500, 3592",
    })
    void loadsWithDocumentedCounts(String rel, int sentences, int tokens) {
        check(rel, sentences, tokens);
    }

    /** The two UD train files over 10 MB (28 MB together). */
    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "pos/en/train.conllu, 12544, 204577",
            "pos/pt/train.conllu, 9616, 255116",
    })
    void largeTrainFilesLoadWithDocumentedCounts(String rel, int sentences, int tokens) {
        check(rel, sentences, tokens);
    }

    private static void check(String rel, int sentences, int tokens) {
        Path file = data.resolve(rel);
        Dataset d = DataReaders.read(file);
        assertEquals(sentences, d.size(), "sentences");
        assertEquals(tokens, d.tokenCount(), "tokens");
        assertEquals(0, d.skipped().count(), d.skipped().toString());
        String lang = rel.split("/")[1];
        for (Sentence s : d.sentences()) assertEquals(lang, s.lang());
        assertEquals(!rel.contains("unlabeled"), d.isLabeled());
        boolean xsid = rel.startsWith("slot/");
        assertEquals(rel.startsWith("slot/en/train") ? 357 : 0, d.relabeled(), "relabeled (xSID Orecurring_datetime)");
        if (xsid) assertFalse(d.labels().contains("Orecurring_datetime"));
        Format expected = rel.endsWith(".conllu") ? Format.CONLLU : rel.contains("conll2002") ? Format.CONLL
                : rel.endsWith(".conll") ? Format.XSID : rel.contains("train.") && xsid ? Format.XSID_PAIR : Format.WIKIANN;
        assertEquals(expected, d.format());
    }

    @Test
    void everyDataFileIsCovered() throws IOException {
        Set<String> files = new TreeSet<>();
        try (Stream<Path> s = Files.walk(data)) {
            s.filter(Files::isRegularFile).map(p -> data.relativize(p).toString().replace('\\', '/'))
                    .filter(p -> !p.endsWith(".md") && !p.contains("LICENSE")).forEach(files::add);
        }
        String table = String.join("\n", tableRows());
        for (String f : files) assertTrue(table.contains(f + ","), "no expected counts for " + f);
    }

    @Test
    void conll2002SpanishIsDecodedAsLatin1() {
        Dataset d = DataReaders.read(data.resolve("ner/es/alt-conll2002/esp.testa"));
        long withEnye = d.sentences().stream().flatMap(s -> s.words().stream()).filter(w -> w.contains("\u00f1")).count();
        long replacement = d.sentences().stream().flatMap(s -> s.words().stream()).filter(w -> w.contains("\uFFFD")).count();
        assertTrue(withEnye > 0);
        assertEquals(0, replacement);
        assertEquals(Set.of("B-LOC", "B-MISC", "B-ORG", "B-PER", "I-LOC", "I-MISC", "I-ORG", "I-PER", "O"), d.labels());
    }

    @Test
    void wikiannPrefixStrippedAndUposDefault() {
        Dataset en = DataReaders.read(data.resolve("ner/en/dev.tsv"));
        assertTrue(en.sentences().stream().flatMap(s -> s.words().stream()).noneMatch(w -> w.startsWith("en:")));
        assertEquals(Set.of("B-LOC", "B-ORG", "B-PER", "I-LOC", "I-ORG", "I-PER", "O"), en.labels());
        Dataset ud = DataReaders.read(data.resolve("pos/en/dev.conllu"));
        assertEquals(17, ud.labels().size()); // the 17 UPOS tags listed in pos/en/SOURCE.md
        Dataset xpos = DataReaders.read(data.resolve("pos/en/dev.conllu"), Format.AUTO, ReadOptions.defaults().withXpos(true));
        assertTrue(xpos.labels().contains("NNP") && !xpos.labels().contains("PROPN"));
        assertEquals(100, DataReaders.read(data.resolve("pos/en/dev.conllu"), Format.AUTO,
                ReadOptions.defaults().withMaxSentences(100)).size());
    }

    private static List<String> tableRows() {
        List<String> rows = new java.util.ArrayList<>();
        for (String m : List.of("loadsWithDocumentedCounts", "largeTrainFilesLoadWithDocumentedCounts")) {
            try {
                rows.addAll(List.of(RealDataTest.class.getDeclaredMethod(m, String.class, int.class, int.class)
                        .getAnnotation(CsvSource.class).value()));
            } catch (NoSuchMethodException e) {
                throw new IllegalStateException(e);
            }
        }
        return rows;
    }
}
