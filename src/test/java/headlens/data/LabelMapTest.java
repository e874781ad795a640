package headlens.data;

import headlens.core.HeadlensException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LabelMapTest {
    @Test
    void stableOrderOutsideFirstThenByType() {
        LabelMap m = LabelMap.ofLabels(List.of("I-PER", "B-LOC", "O", "B-PER", "I-LOC", "B-ORG"));
        assertEquals(List.of("O", "B-LOC", "I-LOC", "B-ORG", "B-PER", "I-PER"), m.labels());
        assertEquals(0, m.outsideId());
        assertEquals(m, LabelMap.ofLabels(List.of("B-ORG", "I-PER", "O", "I-LOC", "B-PER", "B-LOC")));
        LabelMap pos = LabelMap.of(List.of(new Sentence(List.of("a", "b"), List.of("NOUN", "ADJ"), "en", "f:1")));
        assertEquals(List.of("ADJ", "NOUN"), pos.labels());
        assertEquals(-1, pos.outsideId());
    }

    @Test
    void jsonRoundTripAndErrors(@TempDir Path dir) throws Exception {
        LabelMap m = LabelMap.ofLabels(List.of("O", "B-X", "I-X"));
        Path f = dir.resolve("labels.json");
        m.write(f);
        assertTrue(Files.readString(f).contains("\"labels\""));
        assertEquals(m, LabelMap.read(f));
        assertEquals(2, LabelMap.read(f).id("I-X"));
        assertEquals("B-X", m.label(1));
        assertEquals(List.of("O", "I-X"), m.toLabels(new int[]{0, 2}));
        assertTrue(assertThrows(HeadlensException.class, () -> m.id("B-Y")).getMessage().contains("B-Y"));
        Files.writeString(f, "{\"labels\": [\"O\", \"O\"]}");
        assertTrue(assertThrows(HeadlensException.class, () -> LabelMap.read(f)).getMessage().contains("appears twice"));
        Files.writeString(f, "{\"labels\": 3");
        assertTrue(assertThrows(HeadlensException.class, () -> LabelMap.read(f)).getMessage().startsWith(f.toString()));
    }
}
