package headlens.tokenize;

import headlens.core.BoundedFiles;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The one source of the tokenizers headlens makes of legacy tokenizer files: each recipe writes the HuggingFace
 * {@code tokenizer.json} tree that transformers' slow-to-fast converter ({@code convert_slow_tokenizer.py}) makes of them,
 * field for field as {@code save_pretrained} writes it. {@link Tokenizers} builds its tokenizer from that tree and the
 * weights converter writes it to the model directory, so the two cannot disagree, and any tokenizer.json reader (ours,
 * HuggingFace's Rust core) gives the encodings of the original tokenizer.
 * <ul>
 * <li>{@link #bert}: {@code BertConverter} on {@code BertTokenizer(vocab.txt, **tokenizer_config, **special_tokens_map)}.
 * <li>{@link #xlmRoberta}: {@code XLMRobertaConverter} on XLM-R's SentencePiece Unigram model (fairseq's id layout).
 * </ul>
 */
public final class TokenizerRecipes {
    private TokenizerRecipes() {}

    public static final String TOKENIZER_CONFIG = "tokenizer_config.json", SPECIAL_TOKENS_MAP = "special_tokens_map.json";
    /** Bounds for untrusted inputs (mBERT's vocab.txt is 1 MB). */
    static final long MAX_VOCAB_BYTES = 64L << 20, MAX_CONFIG_BYTES = 16L << 20;
    private static final String SPACE = "\u2581";
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** A recipe's tokenizer.json tree and remarks for the user (e.g. a casing that had to be guessed). */
    public record Recipe(ObjectNode json, List<String> notes) {}

    // ------------------------------------------------------------------ BERT WordPiece

    /**
     * transformers' {@code BertConverter} applied to {@code BertTokenizer(vocab_file, **tokenizer_config)} with the sibling
     * {@code tokenizer_config.json} and {@code special_tokens_map.json} (either may be absent): BertNormalizer (clean_text,
     * handle_chinese_chars = tokenize_chinese_chars [true], strip_accents [null], lowercase = do_lower_case), BertPreTokenizer,
     * WordPiece ("##", 100 chars, unk_token), {@code [CLS] $A [SEP]} / {@code [CLS] $A [SEP] $B:1 [SEP]:1}, WordPiece decoder.
     * One departure: without a {@code do_lower_case}, transformers lowercases; this lowercases only a vocabulary without cased
     * tokens (more than 1% of them holding a capital) and says so in a note, so that a cased checkpoint shipped without its
     * tokenizer_config.json (as Google's mBERT release) keeps its case, as the hub's own tokenizer.json for it does.
     */
    public static Recipe bert(Path vocabFile) {
        Path cfgPath = vocabFile.resolveSibling(TOKENIZER_CONFIG), mapPath = vocabFile.resolveSibling(SPECIAL_TOKENS_MAP);
        JsonNode config = readConfig(cfgPath), specialTokens = readConfig(mapPath);
        List<String> notes = new ArrayList<>();
        List<String> lines = vocabLines(vocabFile);
        Map<String, Integer> ids = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            Integer prev = ids.putIfAbsent(lines.get(i), i);
            if (prev != null)
                throw new TokenizerException(vocabFile + ": line " + (i + 1) + ": token \"" + lines.get(i) + "\" repeats line " + (prev + 1));
        }
        Boolean lower = bool(config, "do_lower_case", cfgPath);
        Boolean strip = bool(config, "strip_accents", cfgPath);
        Boolean chinese = bool(config, "tokenize_chinese_chars", cfgPath);
        if (lower == null) {
            lower = !looksCased(lines);
            if (!lower)
                notes.add(vocabFile + " looks cased and there is no do_lower_case in " + TOKENIZER_CONFIG
                        + ": keeping case (transformers' BertTokenizer would lowercase); add {\"do_lower_case\": true} to lowercase");
        }
        // special tokens: tokenizer_config.json, then special_tokens_map.json on top (as from_pretrained merges them)
        String[] fields = {"unk_token", "sep_token", "pad_token", "cls_token", "mask_token"};
        String[] dflt = {"[UNK]", "[SEP]", "[PAD]", "[CLS]", "[MASK]"};
        Map<String, String> tok = new LinkedHashMap<>();
        for (int i = 0; i < fields.length; i++) {
            String v = tokenName(config, fields[i], cfgPath);
            String s = tokenName(specialTokens, fields[i], mapPath);
            tok.put(fields[i], s != null ? s : v != null ? v : dflt[i]);
        }
        for (String f : List.of("unk_token", "cls_token", "sep_token"))
            if (!ids.containsKey(tok.get(f)))
                throw new TokenizerException(vocabFile + ": the vocabulary has no " + (f.equals("unk_token") ? "unknown token (unk_token)" : f)
                        + " \"" + tok.get(f) + "\"");

        ObjectNode root = header();
        // special tokens join the added vocabulary in transformers' attribute order; one missing from vocab.txt gets the next id
        ArrayNode added = root.putArray("added_tokens");
        Map<String, Integer> addedIds = new LinkedHashMap<>();
        int next = lines.size();
        for (String f : fields) {
            String t = tok.get(f);
            if (addedIds.containsKey(t)) continue;
            addedIds.put(t, ids.containsKey(t) ? ids.get(t) : next++);
        }
        addedIds.entrySet().stream().sorted(Map.Entry.comparingByValue())
                .forEach(e -> addedToken(added, e.getValue(), e.getKey(), true, false));
        ObjectNode norm = root.putObject("normalizer");
        norm.put("type", "BertNormalizer").put("clean_text", true).put("handle_chinese_chars", chinese == null || chinese);
        if (strip == null) norm.putNull("strip_accents");
        else norm.put("strip_accents", strip);
        norm.put("lowercase", lower);
        root.putObject("pre_tokenizer").put("type", "BertPreTokenizer");
        String cls = tok.get("cls_token"), sep = tok.get("sep_token");
        ObjectNode post = template(root, new String[][] {{cls, "0"}, {"A", "0"}, {sep, "0"}},
                new String[][] {{cls, "0"}, {"A", "0"}, {sep, "0"}, {"B", "1"}, {sep, "1"}});
        specialToken(post, cls, ids.get(cls));
        specialToken(post, sep, ids.get(sep));
        root.putObject("decoder").put("type", "WordPiece").put("prefix", "##").put("cleanup", true);
        ObjectNode model = root.putObject("model");
        model.put("type", "WordPiece").put("unk_token", tok.get("unk_token")).put("continuing_subword_prefix", "##")
                .put("max_input_chars_per_word", 100);
        ObjectNode vocab = model.putObject("vocab");
        ids.forEach(vocab::put);
        return new Recipe(root, notes);
    }

    /**
     * vocab.txt as transformers' {@code load_vocab} reads it ({@code open(f, "r", encoding="utf-8").readlines()}, each line
     * {@code rstrip("\n")}): strict UTF-8, universal newlines ({@code \n}, {@code \r\n} and a lone {@code \r} end a line;
     * no other character does), every other character kept, spaces included; one token per line.
     */
    static List<String> vocabLines(Path vocabFile) {
        byte[] bytes = BoundedFiles.read(vocabFile, MAX_VOCAB_BYTES, "this file", TokenizerException::new);
        String text = strictUtf8(bytes, vocabFile);
        List<String> lines = new ArrayList<>();
        int start = 0, n = text.length();
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (c == '\n' || c == '\r') {
                lines.add(text.substring(start, i));
                if (c == '\r' && i + 1 < n && text.charAt(i + 1) == '\n') i++;
                start = i + 1;
            }
        }
        if (start < n) lines.add(text.substring(start));
        if (lines.isEmpty()) throw new TokenizerException(vocabFile + ": empty vocabulary (no tokens)");
        return lines;
    }

    /** UTF-8 that Python's strict decoder accepts; else an error naming the line of the first bad byte. */
    private static String strictUtf8(byte[] bytes, Path file) {
        CharsetDecoder d = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult r = d.decode(in, out, true);
        if (!r.isError()) r = d.flush(out);
        if (r.isError()) {
            int line = 1;
            for (int i = 0; i < in.position(); i++) if (bytes[i] == '\n' || (bytes[i] == '\r' && (i + 1 >= bytes.length || bytes[i + 1] != '\n'))) line++;
            throw new TokenizerException(file + ": not valid UTF-8 text (line " + line + ", byte " + in.position() + ")");
        }
        return out.flip().toString();
    }

    /** More than 1% of the non-bracketed tokens hold an uppercase letter. */
    private static boolean looksCased(List<String> vocab) {
        int upper = 0;
        for (String t : vocab)
            if (!(t.startsWith("[") && t.endsWith("]")) && !t.equals(t.toLowerCase(Locale.ROOT))) upper++;
        return upper > vocab.size() / 100;
    }

    // ------------------------------------------------------------------ XLM-R SentencePiece

    /**
     * transformers' {@code XLMRobertaConverter} (an {@code SpmConverter}) applied to a SentencePiece Unigram model: fairseq
     * ids ({@code <s>}=0, {@code <pad>}=1, {@code </s>}=2, {@code <unk>}=3, the model's pieces from index 3 on shifted by
     * one, {@code <mask>} last), normalizer Precompiled(charsmap) + Strip(right) + Replace(" {2,}" → "▁"), Metaspace
     * (prepend always, split), Unigram (unk_id 3, no byte fallback), {@code <s> $A </s>} / {@code <s> $A </s> </s> $B </s>}.
     * The model's control and user-defined pieces become added tokens ({@code SpmConverter.converted}).
     */
    public static ObjectNode xlmRoberta(SentencePieceModel m, String src) {
        if (m.modelType() != SentencePieceModel.UNIGRAM)
            throw new TokenizerException(src + ": trainer_spec.model_type " + m.modelType()
                    + " is not a Unigram model (XLM-R's converter handles model_type 1 only)");
        int n = m.pieces().size();
        if (n < 3) throw new TokenizerException(src + ": " + n + " pieces; XLM-R's layout replaces the first 3, so at least 3 are needed");
        String[] specials = {"<s>", "<pad>", "</s>", "<unk>"};
        int size = n + 2, mask = n + 1;

        ObjectNode root = header();
        // added vocabulary: the SentencePiece control/user-defined pieces (SpmConverter.converted), then the tokenizer's
        // special tokens; content already in the vocabulary keeps its id, new content gets the next id after <mask>
        Map<String, Integer> vocabIds = new HashMap<>();
        for (int i = 0; i < 4; i++) vocabIds.put(specials[i], i);
        for (int i = 3; i < n; i++) vocabIds.putIfAbsent(m.pieces().get(i), i + 1);
        vocabIds.putIfAbsent("<mask>", mask);
        Set<String> specialSet = Set.of("<s>", "<pad>", "</s>", "<unk>", "<mask>");
        record Added(int id, String content, boolean special, boolean lstrip) {}
        Map<String, Added> added = new LinkedHashMap<>();
        int next = size;
        for (int i = 0; i < n; i++) {
            int t = m.types()[i];
            String p = m.pieces().get(i);
            if ((t != SentencePieceModel.CONTROL && t != SentencePieceModel.USER_DEFINED) || added.containsKey(p)) continue;
            Integer id = vocabIds.get(p);
            added.put(p, new Added(id != null ? id : next++, p, t == SentencePieceModel.CONTROL || specialSet.contains(p), false));
        }
        for (String s : List.of("<s>", "</s>", "<unk>", "<pad>", "<mask>")) {
            boolean lstrip = s.equals("<mask>");   // XLMRobertaTokenizer: AddedToken("<mask>", lstrip=True)
            Added a = added.get(s);
            added.put(s, new Added(a != null ? a.id : vocabIds.get(s), s, true, lstrip || (a != null && a.lstrip)));
        }
        ArrayNode at = root.putArray("added_tokens");
        added.values().stream().sorted(Comparator.comparingInt(Added::id)).forEach(a -> addedToken(at, a.id, a.content, a.special, a.lstrip));

        ObjectNode norm = root.putObject("normalizer");
        norm.put("type", "Sequence");
        ArrayNode ns = norm.putArray("normalizers");
        if (m.charsmap() != null && m.charsmap().length > 0)
            ns.addObject().put("type", "Precompiled").put("precompiled_charsmap", Base64.getEncoder().encodeToString(m.charsmap()));
        ns.addObject().put("type", "Strip").put("strip_left", false).put("strip_right", true);
        ObjectNode rep = ns.addObject().put("type", "Replace");
        rep.putObject("pattern").put("Regex", " {2,}");
        rep.put("content", SPACE);
        root.putObject("pre_tokenizer").put("type", "Metaspace").put("replacement", SPACE).put("prepend_scheme", "always").put("split", true);
        ObjectNode post = template(root, new String[][] {{"<s>", "0"}, {"A", "0"}, {"</s>", "0"}},
                new String[][] {{"<s>", "0"}, {"A", "0"}, {"</s>", "0"}, {"</s>", "0"}, {"B", "0"}, {"</s>", "0"}});
        specialToken(post, "<s>", 0);
        specialToken(post, "</s>", 2);
        root.putObject("decoder").put("type", "Metaspace").put("replacement", SPACE).put("prepend_scheme", "always").put("split", true);
        ObjectNode model = root.putObject("model");
        model.put("type", "Unigram").put("unk_id", 3);
        ArrayNode vocab = model.putArray("vocab");
        for (String s : specials) vocab.addArray().add(s).add(0.0);
        for (int i = 3; i < n; i++) vocab.addArray().add(m.pieces().get(i)).add((double) m.scores()[i]);
        vocab.addArray().add("<mask>").add(0.0);
        model.put("byte_fallback", false);
        return root;
    }

    // ------------------------------------------------------------------ shared pieces

    private static ObjectNode header() {
        ObjectNode root = NODES.objectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        return root;
    }

    private static void addedToken(ArrayNode a, int id, String content, boolean special, boolean lstrip) {
        a.addObject().put("id", id).put("content", content).put("single_word", false).put("lstrip", lstrip).put("rstrip", false)
                .put("normalized", false).put("special", special);
    }

    /** A TemplateProcessing post-processor; pieces are {special token or "A"/"B", type id}. */
    private static ObjectNode template(ObjectNode root, String[][] single, String[][] pair) {
        ObjectNode post = root.putObject("post_processor");
        post.put("type", "TemplateProcessing");
        for (String[][] form : new String[][][] {single, pair}) {
            ArrayNode arr = post.putArray(form == single ? "single" : "pair");
            for (String[] p : form) {
                boolean seq = p[0].equals("A") || p[0].equals("B");
                arr.addObject().putObject(seq ? "Sequence" : "SpecialToken").put("id", p[0]).put("type_id", Integer.parseInt(p[1]));
            }
        }
        post.putObject("special_tokens");
        return post;
    }

    private static void specialToken(ObjectNode post, String token, int id) {
        ObjectNode o = ((ObjectNode) post.get("special_tokens")).putObject(token);
        o.put("id", token);
        o.putArray("ids").add(id);
        o.putArray("tokens").add(token);
    }

    /** A JSON config file (tokenizer_config.json and the like), or null when absent. */
    public static JsonNode readConfig(Path f) {
        if (!Files.isRegularFile(f)) return null;
        try {
            JsonNode n = JsonFields.MAPPER.readTree(BoundedFiles.read(f, MAX_CONFIG_BYTES, "this file", TokenizerException::new));
            if (n == null || !n.isObject()) throw new TokenizerException(f + ": not a JSON object");
            return n;
        } catch (JsonProcessingException e) {
            throw new TokenizerException(f + ": not valid JSON: " + e.getOriginalMessage()
                    + (e.getLocation() != null ? " (line " + e.getLocation().getLineNr() + ")" : ""));
        } catch (IOException e) {
            throw new TokenizerException(f + ": cannot read: " + e.getMessage(), e);
        }
    }

    /** true, false or null (absent); anything else is an error, where Python would take any value's truthiness. */
    private static Boolean bool(JsonNode cfg, String field, Path file) {
        JsonNode v = cfg == null ? null : cfg.get(field);
        if (v == null || v.isNull()) return null;
        if (!v.isBoolean()) throw new TokenizerException(file + ": field \"" + field + "\" must be true, false or null, not " + v);
        return v.booleanValue();
    }

    /**
     * A special token given as a string or as a serialized AddedToken ({"content": ...}); null when absent. Anything else
     * is an error, as in transformers ("Special token unk_token has to be either str or AddedToken").
     */
    private static String tokenName(JsonNode cfg, String field, Path file) {
        JsonNode v = cfg == null ? null : cfg.get(field);
        if (v == null || v.isNull()) return null;
        if (v.isTextual()) return v.asText();
        if (v.isObject() && v.path("content").isTextual()) return v.get("content").asText();
        throw new TokenizerException(file + ": field \"" + field + "\" must be a string or an object with \"content\", not " + v);
    }

}
