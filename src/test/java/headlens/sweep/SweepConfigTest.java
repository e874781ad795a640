package headlens.sweep;

import headlens.core.HeadlensException;
import headlens.data.DataReaders;
import headlens.data.Sentence;
import headlens.testing.TinyRunDir;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The data entries of a sweep config: bare paths, skip / max ranges, seeded samples, and their errors. */
class SweepConfigTest {
    @TempDir
    Path dir;

    private SweepConfig config(String train, String targets) throws Exception {
        Path yaml = dir.resolve("s.yaml");
        Files.writeString(yaml, String.join("\n", "name: t", "output: " + dir.resolve("out"),
                "train: [" + train + "]", "source_dev: [{file: " + dir.resolve("en.tsv") + ", max_sentences: 5}]",
                "targets:", targets, ""));
        return SweepConfig.read(yaml);
    }

    private static List<String> words(List<Sentence> s) { return s.stream().map(x -> String.join(" ", x.words())).toList(); }

    @Test
    void rangesAndSamplesSelectTheSentencesTheySay() throws Exception {
        Path f = dir.resolve("en.tsv");
        TinyRunDir.data(f, "en", 30, 1);
        List<Sentence> all = DataReaders.sentences(f, 0);
        assertEquals(30, all.size());
        SweepConfig c = config("{file: " + f + ", sample_sentences: 7, sample_seed: 5}",
                "  en: {dev: {file: " + f + ", skip_sentences: 20}, test: " + f + ", max_sentences: 8}\n"
                        + "  de: {dev: {file: " + f + ", skip_sentences: 3, max_sentences: 4}}");
        // the sample: Collections.shuffle with Random(5), the first 7
        List<Sentence> shuffled = new ArrayList<>(all);
        Collections.shuffle(shuffled, new Random(5));
        assertEquals(words(shuffled.subList(0, 7)), words(c.train().get(0).read()));
        // a target's max_sentences applies to a split without its own: dev = sentences 21..28, test = 1..8
        SweepConfig.Target en = c.targets().get("en");
        assertEquals(words(all.subList(20, 28)), words(en.devFile().read()));
        assertEquals(words(all.subList(0, 8)), words(en.testFile().read()));
        // a split's own max_sentences wins: 4..7
        assertEquals(words(all.subList(3, 7)), words(c.targets().get("de").devFile().read()));
        assertNull(c.targets().get("de").testFile());
        assertEquals(words(all.subList(0, 5)), words(c.sourceDev().get(0).read()));
        // a sample larger than the file keeps every sentence in file order
        assertEquals(words(all), words(new SweepConfig.DataFile(f.toString(), null, null, 99, 1L).read()));
    }

    @Test
    void badEntriesAreNamed() throws Exception {
        Path f = dir.resolve("en.tsv");
        TinyRunDir.data(f, "en", 10, 1);
        HeadlensException e = assertThrows(HeadlensException.class,
                () -> config("{file: " + f + "}", "  en: {dev: {file: " + f + ", skip_sentences: 10}}").targets().get("en").devFile().read());
        assertTrue(e.getMessage().contains(f + ": skip_sentences 10 leaves nothing (the file has 10 sentences)"), e.getMessage());
        e = assertThrows(HeadlensException.class, () -> config("{file: " + f + ", max_sentences: -1}", "  en: {dev: " + f + "}"));
        assertTrue(e.getMessage().contains("sentence counts must be >= 0, got -1"), e.getMessage());
        e = assertThrows(HeadlensException.class, () -> config("{file: " + f + ", sample_sentences: 0}", "  en: {dev: " + f + "}"));
        assertTrue(e.getMessage().contains("sample_sentences must be >= 1"), e.getMessage());
        e = assertThrows(HeadlensException.class, () -> config("{file: " + f + ", skip: 3}", "  en: {dev: " + f + "}"));
        assertTrue(e.getMessage().contains("skip"), e.getMessage());
    }
}
