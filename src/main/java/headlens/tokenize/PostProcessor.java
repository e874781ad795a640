package headlens.tokenize;

import java.util.List;

/**
 * Adds special tokens around a single sequence (TemplateProcessing's "single" template, BertProcessing, RobertaProcessing):
 * {@code prefix} before, {@code suffix} after, each an (id, token) list.
 */
record PostProcessor(int[] prefixIds, String[] prefixTokens, int[] suffixIds, String[] suffixTokens) {
    static final PostProcessor NONE = new PostProcessor(new int[0], new String[0], new int[0], new String[0]);

    static PostProcessor of(List<Integer> preIds, List<String> preTok, List<Integer> sufIds, List<String> sufTok) {
        return new PostProcessor(preIds.stream().mapToInt(Integer::intValue).toArray(), preTok.toArray(String[]::new),
                sufIds.stream().mapToInt(Integer::intValue).toArray(), sufTok.toArray(String[]::new));
    }

    int added() { return prefixIds.length + suffixIds.length; }
}
