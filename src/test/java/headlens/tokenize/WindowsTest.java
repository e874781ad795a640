package headlens.tokenize;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Truncation and overflowing windows: hand-worked case, and equality with HuggingFace's overflowing tokens (Rust, DJL). */
class WindowsTest {
    static PipelineTokenizer miniLm() throws IOException {
        try (InputStream in = WindowsTest.class.getResourceAsStream("/all-minilm-l6-v2-tokenizer.json")) {
            return Tokenizers.fromJson(in, "minilm");
        }
    }

    @Test
    void handWorkedWindows() throws IOException {
        PipelineTokenizer t = miniLm();
        // seven one-token words: [CLS] a b c d e f g [SEP]; 5 tokens per window = 3 content tokens, overlapping by 1
        List<Encoding> w = t.encodeWindows("a b c d e f g", 5, 1);
        assertEquals(3, w.size());
        assertArrayEquals(new String[] {"[CLS]", "a", "b", "c", "[SEP]"}, w.get(0).tokens());
        assertArrayEquals(new String[] {"[CLS]", "c", "d", "e", "[SEP]"}, w.get(1).tokens());
        assertArrayEquals(new String[] {"[CLS]", "e", "f", "g", "[SEP]"}, w.get(2).tokens());
        assertArrayEquals(new int[] {-1, 4, 5, 6, -1}, w.get(2).wordIds());
        assertArrayEquals(new int[] {10, 11}, w.get(2).offsets()[2]);
        assertArrayEquals(new String[] {"[CLS]", "a", "b", "[SEP]"}, t.encodeTruncated("a b c d e f g", 4).tokens());
        assertEquals(1, t.encodeWindows("a b", 5, 1).size());
        assertThrows(IllegalArgumentException.class, () -> t.encodeWindows("a b c d e f g", 5, 3));
        assertThrows(IllegalArgumentException.class, () -> t.encodeWindows("a b c", 2, 0));
    }

    @Test
    void sameWindowsAsHuggingFaceOverflow() throws IOException {
        PipelineTokenizer t = miniLm();
        Path tmp = Files.createTempFile("minilm", ".json");
        try (InputStream in = getClass().getResourceAsStream("/all-minilm-l6-v2-tokenizer.json")) {
            Files.write(tmp, in.readAllBytes());
        }
        String text = "The quick brown fox jumps over the lazy dog near the riverbank, while unbelievably loud "
                + "thunderstorms rolled across the countryside and everybody hurried home before midnight.";
        try {
            for (int[] cfg : new int[][] {{8, 2}, {10, 0}, {12, 5}, {16, 3}}) {
                HuggingFaceTokenizer hf = HuggingFaceTokenizer.newInstance(tmp, Map.of("addSpecialTokens", "true", "padding", "false",
                        "truncation", "true", "maxLength", String.valueOf(cfg[0]), "stride", String.valueOf(cfg[1])));
                ai.djl.huggingface.tokenizers.Encoding r = hf.encode(text, true, true);
                List<long[]> ref = new ArrayList<>();
                ref.add(r.getIds());
                for (ai.djl.huggingface.tokenizers.Encoding o : r.getOverflowing()) ref.add(o.getIds());
                List<Encoding> ours = t.encodeWindows(text, cfg[0], cfg[1]);
                assertEquals(ref.size(), ours.size(), "windows for max " + cfg[0] + " stride " + cfg[1]);
                for (int i = 0; i < ref.size(); i++)
                    assertArrayEquals(Arrays.stream(ref.get(i)).mapToInt(x -> (int) x).toArray(), ours.get(i).ids(), "window " + i);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
