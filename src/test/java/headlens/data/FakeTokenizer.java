package headlens.data;

import headlens.tokenize.Encoding;
import headlens.tokenize.Tokenizer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Test tokenizer: each word splits into pieces of 3 characters ("tokenize" -> "tok", "##eni", "##ze"), wrapped in
 * [CLS] ... [SEP]. Words made only of '~' produce no token (to exercise the unknown-token fallback). Ids are assigned on
 * first sight, after the specials [PAD]=0 [CLS]=1 [SEP]=2 [UNK]=3.
 */
final class FakeTokenizer implements Tokenizer {
    static final int PAD = 0, CLS = 1, SEP = 2, UNK = 3;
    private final Map<String, Integer> vocab = new HashMap<>();
    private final List<String> tokens = new ArrayList<>(List.of("[PAD]", "[CLS]", "[SEP]", "[UNK]"));

    FakeTokenizer() {
        for (int i = 0; i < tokens.size(); i++) vocab.put(tokens.get(i), i);
    }

    static List<String> pieces(String word) {
        List<String> out = new ArrayList<>();
        if (word.chars().allMatch(c -> c == '~')) return out;
        for (int i = 0; i < word.length(); i += 3)
            out.add((i == 0 ? "" : "##") + word.substring(i, Math.min(word.length(), i + 3)));
        return out;
    }

    private int id(String piece) {
        return vocab.computeIfAbsent(piece, p -> { tokens.add(p); return tokens.size() - 1; });
    }

    @Override
    public Encoding encode(String text) { return encodeWords(List.of(text.trim().split("\\s+"))); }

    @Override
    public Encoding encodeWords(List<String> words) {
        List<Integer> ids = new ArrayList<>(List.of(CLS));
        List<Integer> wordIds = new ArrayList<>(List.of(-1));
        for (int w = 0; w < words.size(); w++)
            for (String p : pieces(words.get(w))) { ids.add(id(p)); wordIds.add(w); }
        ids.add(SEP);
        wordIds.add(-1);
        int n = ids.size();
        int[] idArr = ids.stream().mapToInt(Integer::intValue).toArray();
        int[] wordArr = wordIds.stream().mapToInt(Integer::intValue).toArray();
        String[] toks = new String[n];
        int[] special = new int[n];
        for (int i = 0; i < n; i++) { toks[i] = tokens.get(idArr[i]); special[i] = wordArr[i] < 0 ? 1 : 0; }
        return new Encoding(idArr, toks, new int[n][2], wordArr, special);
    }

    @Override public int vocabSize() { return tokens.size(); }
    @Override public int tokenToId(String token) { return vocab.getOrDefault(token, -1); }
    @Override public String idToToken(int id) { return tokens.get(id); }
    @Override public int padId() { return PAD; }
    @Override public int clsId() { return CLS; }
    @Override public int sepId() { return SEP; }
    @Override public int unkId() { return UNK; }
}
