package headlens.tokenize;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Truncation and overflowing windows as HuggingFace's {@code truncation=True, max_length, stride,
 * return_overflowing_tokens=True}: the content tokens (between the leading and trailing special tokens) are cut into windows
 * of {@code maxLength − specials} tokens starting every {@code window − stride} tokens until the end is covered, and every
 * window gets the special tokens again. Nothing is dropped: the last window always reaches the end.
 */
public final class Windows {
    private Windows() {}

    public static List<Encoding> of(Encoding full, int maxLength, int stride) {
        int n = full.length();
        int pre = 0;
        while (pre < n && full.special()[pre] == 1) pre++;
        int suf = 0;
        while (suf < n - pre && full.special()[n - 1 - suf] == 1) suf++;
        int content = n - pre - suf;
        int window = maxLength - pre - suf;
        if (window <= 0)
            throw new IllegalArgumentException("max length " + maxLength + " leaves no room next to " + (pre + suf) + " special tokens");
        if (stride < 0 || (content > window && stride >= window))
            throw new IllegalArgumentException("stride " + stride + " must be in [0, " + window + ") for max length " + maxLength);
        List<Encoding> out = new ArrayList<>();
        if (content <= window) {
            out.add(full);
            return out;
        }
        for (int start = 0; ; start += window - stride) {
            int end = Math.min(start + window, content);
            out.add(slice(full, pre, suf, pre + start, pre + end));
            if (end == content) break;
        }
        return out;
    }

    /** The first window only: {@code maxLength} tokens at most, specials kept. */
    public static Encoding truncate(Encoding full, int maxLength) {
        return of(full, maxLength, 0).get(0);
    }

    private static Encoding slice(Encoding e, int pre, int suf, int from, int to) {
        int n = e.length();
        int m = pre + (to - from) + suf;
        int[] ids = new int[m], words = new int[m], special = new int[m];
        String[] tokens = new String[m];
        int[][] offs = new int[m][];
        int k = 0;
        int[] src = new int[m];
        for (int i = 0; i < pre; i++) src[k++] = i;
        for (int i = from; i < to; i++) src[k++] = i;
        for (int i = n - suf; i < n; i++) src[k++] = i;
        for (int j = 0; j < m; j++) {
            int i = src[j];
            ids[j] = e.ids()[i]; tokens[j] = e.tokens()[i]; offs[j] = Arrays.copyOf(e.offsets()[i], 2);
            words[j] = e.wordIds()[i]; special[j] = e.special()[i];
        }
        return new Encoding(ids, tokens, offs, words, special);
    }
}
