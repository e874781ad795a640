package headlens.tokenize;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Base64;

/**
 * Writes the tokenizer.json that transformers' {@code XLMRobertaConverter} (SpmConverter) makes of a SentencePiece model,
 * field for field, so HuggingFace's Rust tokenizers can serve as the reference for the XLM-R path.
 */
final class XlmrJson {
    private XlmrJson() {}

    static String of(SentencePieceModel m) {
        ObjectMapper om = new ObjectMapper();
        ObjectNode root = om.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        int n = m.pieces().size();
        int mask = n + 1;
        ArrayNode added = root.putArray("added_tokens");
        String[] sp = {"<s>", "<pad>", "</s>", "<unk>"};
        for (int i = 0; i < 4; i++) addedToken(added, i, sp[i], true, false);
        for (int i = 3; i < n; i++) {
            int t = m.types()[i];
            if (t == SentencePieceModel.CONTROL || t == SentencePieceModel.USER_DEFINED)
                addedToken(added, i + 1, m.pieces().get(i), t == SentencePieceModel.CONTROL, false);
        }
        addedToken(added, mask, "<mask>", true, true);
        ObjectNode norm = root.putObject("normalizer");
        norm.put("type", "Sequence");
        ArrayNode ns = norm.putArray("normalizers");
        if (m.charsmap() != null && m.charsmap().length > 0)
            ns.addObject().put("type", "Precompiled").put("precompiled_charsmap", Base64.getEncoder().encodeToString(m.charsmap()));
        ns.addObject().put("type", "Strip").put("strip_left", false).put("strip_right", true);
        ObjectNode rep = ns.addObject().put("type", "Replace");
        rep.putObject("pattern").put("Regex", " {2,}");
        rep.put("content", "\u2581");
        ObjectNode pre = root.putObject("pre_tokenizer");
        pre.put("type", "Metaspace").put("replacement", "\u2581").put("prepend_scheme", "always").put("split", true);
        ObjectNode post = root.putObject("post_processor");
        post.put("type", "TemplateProcessing");
        ArrayNode single = post.putArray("single");
        single.addObject().putObject("SpecialToken").put("id", "<s>").put("type_id", 0);
        single.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
        single.addObject().putObject("SpecialToken").put("id", "</s>").put("type_id", 0);
        ArrayNode pair = post.putArray("pair");
        pair.addObject().putObject("SpecialToken").put("id", "<s>").put("type_id", 0);
        pair.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
        pair.addObject().putObject("SpecialToken").put("id", "</s>").put("type_id", 0);
        pair.addObject().putObject("SpecialToken").put("id", "</s>").put("type_id", 0);
        pair.addObject().putObject("Sequence").put("id", "B").put("type_id", 0);
        pair.addObject().putObject("SpecialToken").put("id", "</s>").put("type_id", 0);
        ObjectNode st = post.putObject("special_tokens");
        for (String[] s : new String[][] {{"<s>", "0"}, {"</s>", "2"}}) {
            ObjectNode o = st.putObject(s[0]);
            o.put("id", s[0]);
            o.putArray("ids").add(Integer.parseInt(s[1]));
            o.putArray("tokens").add(s[0]);
        }
        root.putObject("decoder").put("type", "Metaspace").put("replacement", "\u2581").put("prepend_scheme", "always").put("split", true);
        ObjectNode model = root.putObject("model");
        model.put("type", "Unigram");
        model.put("unk_id", 3);
        ArrayNode vocab = model.putArray("vocab");
        for (String s : sp) vocab.addArray().add(s).add(0.0);
        for (int i = 3; i < n; i++) vocab.addArray().add(m.pieces().get(i)).add((double) m.scores()[i]);
        vocab.addArray().add("<mask>").add(0.0);
        model.put("byte_fallback", false);
        return root.toString();
    }

    private static void addedToken(ArrayNode a, int id, String content, boolean special, boolean lstrip) {
        a.addObject().put("id", id).put("content", content).put("single_word", false).put("lstrip", lstrip).put("rstrip", false)
                .put("normalized", false).put("special", special);
    }
}
