package headlens.tokenize;

/** String → id map (open addressing) whose lookups take a slice of a char array, so tokenizing allocates nothing. */
final class VocabMap {
    private final String[] keys;
    private final int[] ids;
    private final int mask;
    private int size;

    VocabMap(int expected) {
        int cap = Integer.highestOneBit(Math.max(4, expected * 2 - 1)) << 1;
        keys = new String[cap];
        ids = new int[cap];
        mask = cap - 1;
    }

    /** Maps a key to an id; a repeated key takes the later id (as a Python dict / Rust map built in id order). */
    boolean put(String key, int id) {
        int h = mix(key.hashCode()) & mask;
        while (keys[h] != null) {
            if (keys[h].equals(key)) { ids[h] = id; return false; }
            h = (h + 1) & mask;
        }
        keys[h] = key;
        ids[h] = id;
        size++;
        return true;
    }

    int get(String key) {
        return get(key.toCharArray(), 0, key.length());
    }

    int get(char[] s, int off, int len) {
        int hash = 0;
        for (int i = off; i < off + len; i++) hash = 31 * hash + s[i];
        int h = mix(hash) & mask;
        String k;
        while ((k = keys[h]) != null) {
            if (k.length() == len && same(k, s, off, len)) return ids[h];
            h = (h + 1) & mask;
        }
        return -1;
    }

    int size() { return size; }

    private static boolean same(String k, char[] s, int off, int len) {
        for (int i = 0; i < len; i++) if (k.charAt(i) != s[off + i]) return false;
        return true;
    }

    private static int mix(int h) {
        h *= 0x9E3779B9;
        return h ^ (h >>> 16);
    }
}
