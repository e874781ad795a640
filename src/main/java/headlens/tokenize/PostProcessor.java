package headlens.tokenize;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
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

    /** A tokenizer.json {@code post_processor} object at {@code path} of {@code src}; {@link #NONE} for none. */
    static PostProcessor fromJson(JsonNode n, String src, String path) {
        if (n == null || n.isNull()) return NONE;
        String type = JsonFields.type(n, src, path);
        switch (type) {
            case "BertProcessing":
            case "RobertaProcessing": {
                JsonNode cls = n.get("cls"), sep = n.get("sep");
                for (String f : List.of("cls", "sep")) {
                    JsonNode x = n.get(f);
                    if (x == null || !x.isArray() || x.size() != 2 || !x.get(1).canConvertToInt())
                        throw new TokenizerException(src + ": " + path + "." + f + " must be [token, id]");
                }
                return of(List.of(cls.get(1).asInt()), List.of(cls.get(0).asText()), List.of(sep.get(1).asInt()), List.of(sep.get(0).asText()));
            }
            case "TemplateProcessing":
                return template(n, src, path);
            default:
                throw new TokenizerException(src + ": " + path + ".type \"" + type
                        + "\" is not supported (supported: TemplateProcessing, BertProcessing, RobertaProcessing)");
        }
    }

    /** TemplateProcessing's {@code single} template: the special tokens before and after its one Sequence. */
    private static PostProcessor template(JsonNode n, String src, String path) {
        JsonNode single = JsonFields.arrayField(n, "single", src, path);
        JsonNode specials = n.path("special_tokens");
        List<Integer> preIds = new ArrayList<>(), sufIds = new ArrayList<>();
        List<String> preTok = new ArrayList<>(), sufTok = new ArrayList<>();
        boolean seenSeq = false;
        for (int i = 0; i < single.size(); i++) {
            JsonNode item = single.get(i);
            String f = path + ".single[" + i + "]";
            if (item.has("Sequence")) {
                if (seenSeq) throw new TokenizerException(src + ": " + f + ": more than one sequence in a single template");
                seenSeq = true;
            } else if (item.has("SpecialToken")) {
                String id = JsonFields.textField(item.get("SpecialToken"), "id", src, f + ".SpecialToken");
                JsonNode sp = specials.get(id);
                if (sp == null) throw new TokenizerException(src + ": " + f + ": special token \"" + id + "\" is not in " + path + ".special_tokens");
                JsonNode ids = sp.path("ids"), toks = sp.path("tokens");
                if (!ids.isArray() || !toks.isArray() || ids.size() != toks.size())
                    throw new TokenizerException(src + ": " + path + ".special_tokens." + id + " needs equally long ids and tokens");
                for (int k = 0; k < ids.size(); k++) {
                    (seenSeq ? sufIds : preIds).add(ids.get(k).asInt());
                    (seenSeq ? sufTok : preTok).add(toks.get(k).asText());
                }
            } else {
                throw new TokenizerException(src + ": " + f + " is neither Sequence nor SpecialToken");
            }
        }
        if (!seenSeq) throw new TokenizerException(src + ": " + path + ".single has no Sequence");
        return of(preIds, preTok, sufIds, sufTok);
    }
}
