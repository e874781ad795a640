package headlens.data;

import headlens.core.HeadlensException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every reader on tiny hand-written files, including malformed input. */
class DataReadersTest {
    @TempDir
    Path dir;

    private Path write(String rel, String text) throws IOException { return write(rel, text, StandardCharsets.UTF_8); }

    private Path write(String rel, String text, Charset cs) throws IOException {
        Path p = dir.resolve(rel);
        Files.createDirectories(p.getParent());
        Files.write(p, text.getBytes(cs));
        return p;
    }

    private static final String CONLLU = """
            # sent_id = 1
            # text = Del cielo.
            1-2\tDel\t_\t_\t_\t_\t_\t_\t_\t_
            1\tDe\tde\tADP\tIN\t_\t3\tcase\t_\t_
            2\tel\tel\tDET\tDT\t_\t3\tdet\t_\t_
            3\tcielo\tcielo\tNOUN\tNN\t_\t0\troot\t_\t_
            3.1\tvino\tvenir\tVERB\tVB\t_\t_\t_\t3:conj\t_
            4\t.\t.\tPUNCT\t.\t_\t3\tpunct\t_\t_

            # sent_id = 2
            1\tSí\tsí\tINTJ\tUH\t_\t0\troot\t_\t_
            """;

    @Test
    void conlluSkipsRangesAndEmptyNodesUposOrXpos() throws IOException {
        Path f = write("pos/es/dev.conllu", CONLLU);
        Dataset d = DataReaders.read(f);
        assertEquals(Format.CONLLU, d.format());
        assertEquals(2, d.size());
        Sentence s = d.sentences().get(0);
        assertEquals(List.of("De", "el", "cielo", "."), s.words());
        assertEquals(List.of("ADP", "DET", "NOUN", "PUNCT"), s.labels());
        assertEquals("es", s.lang());
        assertEquals(f + ":1", s.source());
        assertEquals(f + ":10", d.sentences().get(1).source());
        Dataset x = DataReaders.read(f, Format.AUTO, ReadOptions.defaults().withXpos(true));
        assertEquals(List.of("IN", "DT", "NN", "."), x.sentences().get(0).labels());
        assertEquals(1, DataReaders.read(f, Format.CONLLU, ReadOptions.defaults().withMaxSentences(1)).size());
    }

    @Test
    void conlluMalformedLineNamesFileAndLine() throws IOException {
        Path f = write("bad.conllu", "1\tA\ta\tNOUN\n");
        HeadlensException e = assertThrows(HeadlensException.class, () -> DataReaders.read(f));
        assertTrue(e.getMessage().startsWith(f + ":1: expected 10"), e.getMessage());
        Path g = write("bad2.conllu", "# c\nx\tA\ta\tNOUN\t_\t_\t_\t_\t_\t_\n");
        assertTrue(assertThrows(HeadlensException.class, () -> DataReaders.read(g)).getMessage().startsWith(g + ":2: bad CoNLL-U ID"));
    }

    @Test
    void conllColumnsLatin1DocstartAndColumnChoice() throws IOException {
        // CoNLL-2002 Spanish is Latin-1: "Río" must decode without an explicit charset
        String text = "-DOCSTART- -X- O\n\nEl DA O\nRío NC B-LOC\nBravo NC I-LOC\n\n-DOCSTART- -X- O\nHola I O\n";
        Path f = write("ner/es/alt/esp.train", text, StandardCharsets.ISO_8859_1);
        Dataset d = DataReaders.read(f);
        assertEquals(Format.CONLL, d.format());
        assertEquals(2, d.size());
        assertEquals(List.of("El", "Río", "Bravo"), d.sentences().get(0).words());
        assertEquals(List.of("O", "B-LOC", "I-LOC"), d.sentences().get(0).labels());
        assertEquals("es", d.sentences().get(0).lang());
        Dataset pos = DataReaders.read(f, Format.CONLL, ReadOptions.defaults().withColumn(1));
        assertEquals(List.of("DA", "NC", "NC"), pos.sentences().get(0).labels());
        // forcing UTF-8 on Latin-1 bytes gives the replacement character: the charset option is honoured
        Dataset utf = DataReaders.read(f, Format.CONLL, ReadOptions.defaults().withCharset(StandardCharsets.UTF_8));
        assertEquals("R\uFFFDo", utf.sentences().get(0).words().get(1));
        Path bad = write("ner/en/bad.conll", "EU NNP B-ORG\nrejects\n");
        assertTrue(assertThrows(HeadlensException.class, () -> DataReaders.read(bad, Format.CONLL, ReadOptions.defaults()))
                .getMessage().startsWith(bad + ":2:"));
    }

    @Test
    void wikiannPrefixStrippedAndGivesLanguage() throws IOException {
        Path f = write("x/train", "de:Berlin\tB-LOC\nde:ist\tO\n\nde:de:x\tO\n\n");
        Dataset d = DataReaders.read(f);
        assertEquals(Format.WIKIANN, d.format());
        assertEquals(2, d.size());
        assertEquals(List.of("Berlin", "ist"), d.sentences().get(0).words());
        assertEquals(List.of("de:x"), d.sentences().get(1).words()); // only the file prefix is stripped
        assertEquals("de", d.sentences().get(0).lang());
        assertEquals("fr", DataReaders.read(f, Format.WIKIANN, ReadOptions.defaults().withLang("fr")).sentences().get(0).lang());
        Path mixed = write("y/train", "de:Berlin\tB-LOC\nde:und\tO\nde:Rom\tB-LOC\nParis\tB-LOC\n");
        assertTrue(assertThrows(HeadlensException.class, () -> DataReaders.read(mixed)).getMessage()
                .startsWith(mixed + ":4: token 'Paris' lacks"));
    }

    @Test
    void xtremeTsvAndUnlabelledTest() throws IOException {
        Path f = write("ner/tr/dev.tsv", "Ankara\tB-LOC\n'\tO\n\nX\tO");
        Dataset d = DataReaders.read(f);
        assertEquals(2, d.size());
        assertEquals("tr", d.sentences().get(0).lang());
        assertTrue(d.isLabeled());
        Path u = write("ner/tr/test.unlabeled.tsv", "Ankara\n'\n\nX\n");
        Dataset du = DataReaders.read(u);
        assertEquals(2, du.size());
        assertFalse(du.isLabeled());
        assertEquals(List.of(), du.sentences().get(0).labels());
        Path bad = write("ner/tr/bad.tsv", "Ankara\tB-LOC\nfoo\n");
        assertTrue(assertThrows(HeadlensException.class, () -> DataReaders.read(bad)).getMessage().startsWith(bad + ":2:"));
    }

    @Test
    void xsidConllWithLabelFix() throws IOException {
        String text = """
                # id = 1
                # text = wake me daily
                # intent = alarm/set_alarm
                1\twake\talarm/set_alarm\tO
                2\tme\talarm/set_alarm\tOrecurring_datetime
                3\tdaily\talarm/set_alarm\tB-recurring_datetime

                # text = hi
                # intent = x
                1\thi\tx\tO
                """;
        Path f = write("slot/de-ba/dev.conll", text);
        Dataset d = DataReaders.read(f);
        assertEquals(Format.XSID, d.format());
        assertEquals(2, d.size());
        assertEquals(List.of("O", "O", "B-recurring_datetime"), d.sentences().get(0).labels());
        assertEquals(1, d.relabeled());
        assertEquals("de-ba", d.sentences().get(0).lang());
        assertEquals(f + ":1", d.sentences().get(0).source());
        Path bad = write("slot/en/bad.conll", "# text = a\n1\ta\tx\n");
        assertTrue(assertThrows(HeadlensException.class, () -> DataReaders.read(bad, Format.XSID, ReadOptions.defaults()))
                .getMessage().startsWith(bad + ":2: expected 4"));
    }

    @Test
    void xsidPairSkipsMismatchedRowsWithReport() throws IOException {
        Path text = write("slot/en/train.text.en", "set an alarm\nhello there\nwake me\n");
        write("slot/en/train.label.en", "O O B-x\tintent1\nO\tintent2\nO Orecurring_datetime\tintent3\n");
        Dataset d = DataReaders.read(dir.resolve("slot/en/train.label.en")); // either file of the pair may be named
        assertEquals(Format.XSID_PAIR, d.format());
        assertEquals(text, d.file());
        assertEquals(2, d.size());
        assertEquals(1, d.skipped().count());
        assertEquals(List.of(text + ":2: 2 tokens but 1 tags"), d.skipped().locations());
        assertEquals(List.of("O", "O"), d.sentences().get(1).labels());
        assertEquals(1, d.relabeled());
        assertEquals("en", d.sentences().get(0).lang());
    }

    @Test
    void multiAtisTsv() throws IOException {
        String tsv = "id\tutterance\tslot_labels\tintent\n"
                + "1\tshow flights to boston\tO O O B-toloc.city_name\tatis_flight\n"
                + "2\tfrom denver\tO\tatis_flight\n"
                + "3\ti want to fly\tO O O O\tatis_flight\n";
        Path f = write("atis/train_DE.tsv", tsv);
        Dataset d = DataReaders.read(f);
        assertEquals(Format.MULTIATIS, d.format());
        assertEquals(2, d.size());
        assertEquals("de", d.sentences().get(0).lang());
        assertEquals(1, d.skipped().count());
        assertTrue(d.skipped().locations().get(0).startsWith(f + ":3: 2 tokens but 1 slot labels"));
        Path bad = write("atis/dev_EN.tsv", "id\tutterance\tslot_labels\tintent\n1\ta b\n");
        assertTrue(assertThrows(HeadlensException.class, () -> DataReaders.read(bad)).getMessage().startsWith(bad + ":2:"));
    }

    @Test
    void undetectableFormatAndMissingFile() throws IOException {
        Path f = write("odd.txt", "a\tb\tc\n");
        assertTrue(assertThrows(HeadlensException.class, () -> DataReaders.read(f)).getMessage().contains("--format"));
        Path missing = dir.resolve("nope.conllu");
        assertTrue(assertThrows(HeadlensException.class, () -> DataReaders.read(missing)).getMessage().contains("no such file"));
        assertEquals(Format.XSID_PAIR, Format.parse("xsid-pair"));
        assertEquals(Format.CONLL, Format.parse("conll2003"));
        assertThrows(HeadlensException.class, () -> Format.parse("csv"));
    }

    @Test
    void languageFromPath() {
        assertEquals("en", Languages.fromPath(Path.of("/d/pos/en/alt-x/dev.conllu")));
        assertEquals("de-muc", Languages.fromPath(Path.of("data/slot/de-muc/test.conll")));
        assertEquals("und", Languages.fromPath(Path.of("/tmp/file.conllu")));
    }
}
