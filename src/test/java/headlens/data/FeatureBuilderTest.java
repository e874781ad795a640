package headlens.data;

import headlens.core.HeadlensException;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static headlens.data.FeatureBuilder.IGNORE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FeatureBuilderTest {
    private final FakeTokenizer tok = new FakeTokenizer();
    private final LabelMap labels = LabelMap.ofLabels(List.of("O", "B-PER", "I-PER", "B-LOC"));

    private static Sentence sentence(List<String> words, List<String> tags) { return new Sentence(words, tags, "en", "t:1"); }

    @Test
    void firstSubTokenCarriesTheLabel() {
        // "Johannes" -> Joh ##ann ##es (3), "lives" -> liv ##es (2), "in" -> in (1), "Ulm" -> Ulm (1)
        // tokens: [CLS] Joh ##ann ##es liv ##es in Ulm [SEP]
        Sentence s = sentence(List.of("Johannes", "lives", "in", "Ulm"), List.of("B-PER", "O", "O", "B-LOC"));
        List<Example> ex = new FeatureBuilder(tok, labels, 32, 4).build(0, s);
        assertEquals(1, ex.size());
        Example e = ex.get(0);
        assertEquals(9, e.length());
        assertEquals(FakeTokenizer.CLS, e.inputIds()[0]);
        assertEquals(FakeTokenizer.SEP, e.inputIds()[8]);
        assertEquals("##ann", tok.idToToken(e.inputIds()[2]));
        int per = labels.id("B-PER"), o = labels.id("O"), loc = labels.id("B-LOC");
        assertArrayEquals(new int[]{IGNORE, per, IGNORE, IGNORE, o, IGNORE, o, loc, IGNORE}, e.labelIds());
        assertArrayEquals(new int[]{-1, 0, -1, -1, 1, -1, 2, 3, -1}, e.wordOf());
        assertEquals(List.of(0, 4, 0, 4), List.of(e.firstWord(), e.endWord(), e.ownFrom(), e.ownTo()));
    }

    @Test
    void longSentenceWindowsOverlapAndOwnEachWordOnce() {
        // 12 one-token words, max length 8 -> 6 word tokens per window, stride 2 context tokens each side.
        // Hand-worked: window 0 words [0,6) owns [0,4) (2 right-context words 4,5);
        // window 1 starts 2 words before 4: words [2,8) owns [4,6); window 2: [4,10) owns [6,8); window 3: [6,12) owns [8,12).
        List<String> words = new ArrayList<>();
        List<String> tags = new ArrayList<>();
        for (int i = 0; i < 12; i++) { words.add("w" + i); tags.add(i % 3 == 0 ? "B-PER" : "O"); }
        List<Example> ex = new FeatureBuilder(tok, labels, 8, 2).build(7, sentence(words, tags));
        int[][] expected = {{0, 6, 0, 4}, {2, 8, 4, 6}, {4, 10, 6, 8}, {6, 12, 8, 12}};
        assertEquals(expected.length, ex.size());
        for (int k = 0; k < ex.size(); k++) {
            Example e = ex.get(k);
            assertArrayEquals(expected[k], new int[]{e.firstWord(), e.endWord(), e.ownFrom(), e.ownTo()}, "window " + k);
            assertEquals(7, e.sentence());
            assertEquals(k, e.window());
            assertTrue(e.length() <= 8);
        }
        // labels appear only on owned words: window 1 has words 2..7 but labels only for 4 and 5
        Example w1 = ex.get(1);
        assertArrayEquals(new int[]{IGNORE, IGNORE, IGNORE, labels.id("O"), labels.id("O"), IGNORE, IGNORE, IGNORE},
                w1.labelIds());
    }

    @Test
    void randomSentencesEveryWordPredictedExactlyOnceAndMergedBack() {
        Random rnd = new Random(42);
        for (int trial = 0; trial < 300; trial++) {
            int n = 1 + rnd.nextInt(60);
            List<String> words = new ArrayList<>();
            List<String> tags = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                words.add(rnd.nextInt(20) == 0 ? "~" : "x".repeat(1 + rnd.nextInt(10))); // 0..4 pieces
                tags.add(rnd.nextBoolean() ? "O" : "B-PER");
            }
            int maxLen = 6 + rnd.nextInt(30);
            int budget = maxLen - 2;
            int stride = rnd.nextInt((budget + 1) / 2);
            FeatureBuilder fb = new FeatureBuilder(tok, labels, maxLen, stride);
            Sentence s = sentence(words, tags);
            List<Example> ex = fb.build(0, s);
            int[] owner = new int[n];
            Arrays.fill(owner, -1);
            List<int[]> preds = new ArrayList<>();
            for (Example e : ex) {
                assertTrue(e.length() <= maxLen, "window longer than max length");
                assertEquals(FakeTokenizer.CLS, e.inputIds()[0]);
                assertEquals(FakeTokenizer.SEP, e.inputIds()[e.length() - 1]);
                int[] pred = new int[e.length() + 3]; // padded row
                for (int t = 0; t < e.length(); t++) {
                    int w = e.wordOf()[t];
                    if (w < 0) { assertEquals(IGNORE, e.labelIds()[t]); continue; }
                    assertEquals(-1, owner[w], "word owned twice");
                    owner[w] = e.window();
                    assertTrue(w >= e.ownFrom() && w < e.ownTo());
                    assertEquals(labels.id(tags.get(w)), e.labelIds()[t]);
                    pred[t] = 1000 + w; // a fake model that "predicts" the word index
                }
                preds.add(pred);
            }
            for (int w = 0; w < n; w++) assertTrue(owner[w] >= 0, "word " + w + " dropped");
            int[] merged = Alignment.wordPredictions(n, ex, preds);
            for (int w = 0; w < n; w++) assertEquals(1000 + w, merged[w]);
        }
    }

    @Test
    void ownedWordsKeepStrideContextWhenPossible() {
        // 40 one-token words, max length 12 (10 word tokens), stride 3: every owned word that is not at a sentence edge
        // has at least 3 tokens of context on both sides within its window.
        List<String> words = new ArrayList<>();
        for (int i = 0; i < 40; i++) words.add("a" + i);
        List<Example> ex = new FeatureBuilder(tok, null, 12, 3).build(0, sentence(words, List.of()));
        for (Example e : ex) {
            for (int w = e.ownFrom(); w < e.ownTo(); w++) {
                assertTrue(w - e.firstWord() >= Math.min(3, w), "left context of word " + w);
                assertTrue(e.endWord() - 1 - w >= Math.min(3, 39 - w), "right context of word " + w);
            }
            for (int l : e.labelIds()) assertEquals(IGNORE, l); // no label map: inference-only inputs
        }
    }

    @Test
    void wordWithoutTokensGetsUnkAndOverlongWordIsTruncated() {
        // "~" has no pieces -> [UNK]; "abcdefghijklmnopqrstu" has 7 pieces > 6-token budget -> keeps 6
        Sentence s = sentence(List.of("~", "abcdefghijklmnopqrstu", "ok"), List.of("O", "B-PER", "O"));
        FeatureBuilder fb = new FeatureBuilder(tok, labels, 8, 1);
        List<Example> ex = fb.build(0, s);
        assertEquals(FakeTokenizer.UNK, ex.get(0).inputIds()[1]);
        assertEquals(1, fb.truncatedWords());
        int[] owner = new int[3];
        for (Example e : ex) for (int w : e.wordOf()) if (w >= 0) owner[w]++;
        assertArrayEquals(new int[]{1, 1, 1}, owner);
        for (Example e : ex) assertTrue(e.length() <= 8);
    }

    @Test
    void unknownLabelsAreIgnoredAndCounted() {
        FeatureBuilder fb = new FeatureBuilder(tok, labels, 16, 2);
        Example e = fb.build(0, sentence(List.of("a", "b"), List.of("B-reference-part", "O"))).get(0);
        assertEquals(IGNORE, e.labelIds()[1]);
        assertEquals(labels.id("O"), e.labelIds()[2]);
        assertEquals(1, fb.unknownLabels());
    }

    @Test
    void mergeRejectsMissingOrDoubledWindows() {
        List<String> words = new ArrayList<>();
        for (int i = 0; i < 12; i++) words.add("w" + i);
        List<Example> ex = new FeatureBuilder(tok, null, 8, 2).build(0, sentence(words, List.of()));
        List<int[]> preds = new ArrayList<>();
        for (Example e : ex) preds.add(new int[e.length()]);
        assertEquals(12, Alignment.wordPredictions(12, ex, preds).length);
        assertThrows(IllegalStateException.class, () -> Alignment.wordPredictions(12, ex.subList(0, 3), preds.subList(0, 3)));
        List<Example> doubled = new ArrayList<>(ex);
        doubled.add(ex.get(0));
        List<int[]> doubledPreds = new ArrayList<>(preds);
        doubledPreds.add(preds.get(0));
        assertThrows(IllegalStateException.class, () -> Alignment.wordPredictions(12, doubled, doubledPreds));
        // dataset-level merge groups by Example.sentence()
        List<Example> two = new ArrayList<>(ex);
        two.addAll(new FeatureBuilder(tok, null, 8, 2).build(1, sentence(List.of("a", "b"), List.of())));
        List<int[]> twoPreds = new ArrayList<>();
        for (Example e : two) { int[] p = new int[e.length()]; Arrays.fill(p, e.sentence() + 5); twoPreds.add(p); }
        List<int[]> merged = Alignment.wordPredictions(new int[]{12, 2}, two, twoPreds);
        assertArrayEquals(new int[]{6, 6}, merged.get(1));
        assertEquals(5, merged.get(0)[11]);
    }

    @Test
    void badLengthsAreUserErrors() {
        assertThrows(HeadlensException.class, () -> new FeatureBuilder(tok, labels, 2, 0));
        assertThrows(HeadlensException.class, () -> new FeatureBuilder(tok, labels, 10, 4)); // 2*4 >= 8
        new FeatureBuilder(tok, labels, 10, 3);
    }
}
