package headlens.tokenize;

import java.util.Arrays;

/** Growable columns of an {@link Encoding}. */
final class EncodingBuilder implements Model.Sink {
    int[] ids = new int[32], starts = new int[32], ends = new int[32], words = new int[32], special = new int[32];
    String[] tokens = new String[32];
    int n;
    // set per word by the pipeline
    NormalizedString ns;
    int wordId;

    void add(int id, String token, int start, int end, int word, int isSpecial) {
        if (n == ids.length) grow();
        ids[n] = id; tokens[n] = token; starts[n] = start; ends[n] = end; words[n] = word; special[n] = isSpecial;
        n++;
    }

    @Override
    public void add(int id, String token, int from, int to) {
        int s = to > from ? ns.os[from] : (from < ns.len ? ns.os[from] : (ns.len > 0 ? ns.oe[ns.len - 1] : 0));
        int e = to > from ? ns.oe[to - 1] : s;
        add(id, token, s, e, wordId, 0);
    }

    private void grow() {
        int c = n * 2;
        ids = Arrays.copyOf(ids, c); starts = Arrays.copyOf(starts, c); ends = Arrays.copyOf(ends, c);
        words = Arrays.copyOf(words, c); special = Arrays.copyOf(special, c); tokens = Arrays.copyOf(tokens, c);
    }

    Encoding build() {
        int[][] offs = new int[n][];
        for (int i = 0; i < n; i++) offs[i] = new int[] {starts[i], ends[i]};
        return new Encoding(Arrays.copyOf(ids, n), Arrays.copyOf(tokens, n), offs, Arrays.copyOf(words, n), Arrays.copyOf(special, n));
    }
}
