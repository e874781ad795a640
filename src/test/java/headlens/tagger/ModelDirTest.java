package headlens.tagger;

import headlens.config.EncoderConfig;
import headlens.core.HeadlensException;
import headlens.heads.TinyTagger;
import headlens.model.HeadId;
import headlens.model.HeadMask;
import headlens.model.ModelSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** The one model-directory writer: what it writes reads back, a new directory appears whole, an existing one keeps its other files. */
class ModelDirTest {
    @TempDir Path tmp;

    static Path vocab(Path dir) throws Exception {
        Path v = Files.createDirectories(dir).resolve("vocab.txt");
        Files.writeString(v, "[CLS]\n[PAD]\n[SEP]\n[UNK]\n");
        return v;
    }

    static List<String> entries(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    static void assertSameWeights(Map<String, INDArray> want, Map<String, INDArray> got) {
        assertEquals(want.keySet(), got.keySet());
        for (var e : want.entrySet()) {
            INDArray a = e.getValue(), b = got.get(e.getKey());
            assertArrayEquals(a.shape(), b.shape(), e.getKey());
            assertArrayEquals(a.castTo(DataType.FLOAT).dup('c').data().asFloat(), b.castTo(DataType.FLOAT).dup('c').data().asFloat(), e.getKey());
        }
    }

    @Test
    void aNewDirectoryAppearsWholeAndReadsBack() throws Exception {
        EncoderConfig cfg = TinyTagger.config();
        Map<String, INDArray> w = TinyTagger.encoderWeights();
        Path dir = tmp.resolve("out/model");
        ModelDir.write(dir, cfg, w, List.of(vocab(tmp.resolve("tok"))), new HeadMask(Set.of(new HeadId(1, 2))));
        assertEquals(List.of("config.json", HeadMask.FILE, "model.safetensors", "vocab.txt"), entries(dir));
        assertEquals(List.of("model"), entries(tmp.resolve("out")), "no temporary directory left beside it");
        ModelSource back = ModelSource.load(dir);
        assertSameWeights(w, back.weights());
        assertEquals(Set.of(new HeadId(1, 2)), HeadMask.read(dir, back.config()).masked());
    }

    @Test
    void anExistingDirectoryKeepsItsOtherFiles() throws Exception {
        EncoderConfig cfg = TinyTagger.config();
        Path dir = tmp.resolve("run");
        List<Path> tok = List.of(vocab(tmp.resolve("tok")));
        ModelDir.write(dir, cfg, TinyTagger.encoderWeights(), tok, new HeadMask(Set.of(new HeadId(0, 0))));
        Files.createDirectories(dir.resolve("checkpoint"));
        Files.writeString(dir.resolve("checkpoint/state.json"), "{}");
        Files.writeString(dir.resolve("metrics.json"), "{}");
        Map<String, INDArray> w2 = new HashMap<>(TinyTagger.encoderWeights());
        w2.put("embeddings.LayerNorm.bias", w2.get("embeddings.LayerNorm.bias").add(1));
        ModelDir.write(dir, cfg, w2, tok, HeadMask.NONE);
        assertEquals(List.of("checkpoint", "config.json", "metrics.json", "model.safetensors", "vocab.txt"), entries(dir),
                "the empty mask removes head_mask.json; nothing else goes, no temporary directory stays");
        assertSameWeights(w2, ModelSource.load(dir).weights());
        assertEquals("{}", Files.readString(dir.resolve("checkpoint/state.json")));
    }

    @Test
    void weightsThatDoNotFitLeaveTheOldDirectoryAsItWas() throws Exception {
        EncoderConfig cfg = TinyTagger.config();
        Path dir = tmp.resolve("m");
        List<Path> tok = List.of(vocab(tmp.resolve("tok")));
        ModelDir.write(dir, cfg, TinyTagger.encoderWeights(), tok, HeadMask.NONE);
        byte[] before = Files.readAllBytes(dir.resolve("model.safetensors"));
        Map<String, INDArray> bad = new HashMap<>(TinyTagger.encoderWeights());
        bad.remove("embeddings.LayerNorm.bias");
        HeadlensException e = assertThrows(HeadlensException.class, () -> ModelDir.write(dir, cfg, bad, tok, HeadMask.NONE));
        assertTrue(e.getMessage().contains("embeddings.LayerNorm.bias"), e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(dir.resolve("model.safetensors")));
        assertEquals(List.of("config.json", "model.safetensors", "vocab.txt"), entries(dir));
        assertThrows(HeadlensException.class, () -> ModelDir.write(tmp.resolve("fresh"), cfg, bad, tok, HeadMask.NONE));
        assertFalse(Files.exists(tmp.resolve("fresh")));
        assertEquals(List.of("m", "tok"), entries(tmp));
    }
}
