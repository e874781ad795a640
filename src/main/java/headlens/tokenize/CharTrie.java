package headlens.tokenize;

/** A trie over UTF-16 units, with children in one open-addressing table keyed by (node, char). */
final class CharTrie {
    private long[] keys;
    private int[] children;
    private int[] values = new int[16];
    private int nodes = 1;
    private int used;

    CharTrie(int expectedNodes) {
        int cap = Integer.highestOneBit(Math.max(16, expectedNodes * 2)) << 1;
        keys = new long[cap];
        children = new int[cap];
        java.util.Arrays.fill(keys, -1L);
        values[0] = -1;
    }

    void put(String s, int value) {
        int node = 0;
        for (int i = 0; i < s.length(); i++) {
            int c = child(node, s.charAt(i));
            if (c < 0) c = add(node, s.charAt(i));
            node = c;
        }
        values[node] = value; // a repeated piece takes the later id, like a map built in id order
    }

    int child(int node, char c) {
        long key = ((long) node << 16) | c;
        int mask = keys.length - 1;
        int h = mix(key) & mask;
        long k;
        while ((k = keys[h]) != -1L) {
            if (k == key) return children[h];
            h = (h + 1) & mask;
        }
        return -1;
    }

    int value(int node) { return values[node]; }

    private int add(int node, char c) {
        if ((used + 1) * 2 > keys.length) rehash();
        int id = nodes++;
        if (id == values.length) values = java.util.Arrays.copyOf(values, id * 2);
        values[id] = -1;
        insert(((long) node << 16) | c, id);
        used++;
        return id;
    }

    private void insert(long key, int child) {
        int mask = keys.length - 1;
        int h = mix(key) & mask;
        while (keys[h] != -1L) h = (h + 1) & mask;
        keys[h] = key;
        children[h] = child;
    }

    private void rehash() {
        long[] ok = keys;
        int[] oc = children;
        keys = new long[ok.length * 2];
        children = new int[ok.length * 2];
        java.util.Arrays.fill(keys, -1L);
        for (int i = 0; i < ok.length; i++) if (ok[i] != -1L) insert(ok[i], oc[i]);
    }

    private static int mix(long key) {
        key *= 0x9E3779B97F4A7C15L;
        return (int) (key ^ (key >>> 32));
    }
}
