package headlens.tokenize;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer.Form;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Loads tokenizers: HuggingFace {@code tokenizer.json}, a legacy BERT {@code vocab.txt} (+ {@code tokenizer_config.json}),
 * or a SentencePiece {@code .model} (raw, or with XLM-R's fairseq id layout). Errors name the file and the field.
 */
public final class Tokenizers {
    private Tokenizers() {}

    /** Model type that puts a SentencePiece model into XLM-R's fairseq id layout. */
    public static final String XLM_ROBERTA = "xlm-roberta";
    private static final long MAX_FILE = 1L << 30;
    private static final ObjectMapper JSON = new ObjectMapper();

    static {
        JSON.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxStringLength(200_000_000).build());
    }

    /** A {@code tokenizer.json}, a {@code .model}, a {@code vocab.txt}, or a model directory holding one of them. */
    public static PipelineTokenizer load(Path path) {
        return load(path, null);
    }

    /**
     * As {@link #load(Path)}; {@code modelType} ("xlm-roberta", "bert", or null to read it from the directory's
     * {@code config.json}) decides the id layout of a SentencePiece model.
     */
    public static PipelineTokenizer load(Path path, String modelType) {
        if (Files.isDirectory(path)) {
            Path tj = path.resolve("tokenizer.json");
            if (Files.isRegularFile(tj)) return loadJson(tj);
            String type = modelType != null ? modelType : configModelType(path);
            for (String name : List.of("sentencepiece.bpe.model", "spiece.model", "tokenizer.model")) {
                Path p = path.resolve(name);
                if (Files.isRegularFile(p)) return fromSentencePiece(read(p), p.toString(), type);
            }
            Path vocab = path.resolve("vocab.txt");
            if (Files.isRegularFile(vocab)) return fromVocabTxt(vocab);
            throw new TokenizerException(path + ": no tokenizer.json, SentencePiece .model or vocab.txt in this directory");
        }
        if (!Files.isRegularFile(path)) throw new TokenizerException(path + ": no such file or directory");
        String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".json")) return loadJson(path);
        if (name.endsWith(".model")) return fromSentencePiece(read(path), path.toString(), modelType);
        if (name.endsWith(".txt")) return fromVocabTxt(path);
        throw new TokenizerException(path + ": unknown tokenizer file type (expected tokenizer.json, *.model or vocab.txt)");
    }

    private static PipelineTokenizer loadJson(Path p) {
        return fromJson(new String(read(p), StandardCharsets.UTF_8), p.toString());
    }

    /** A {@code tokenizer.json} from a stream (e.g. a classpath resource); {@code sourceName} names it in errors. */
    public static PipelineTokenizer fromJson(InputStream in, String sourceName) {
        try {
            return fromJson(new String(in.readAllBytes(), StandardCharsets.UTF_8), sourceName);
        } catch (IOException e) {
            throw new TokenizerException(sourceName + ": cannot read: " + e.getMessage(), e);
        }
    }

    static byte[] read(Path p) {
        try {
            long size = Files.size(p);
            if (size > MAX_FILE) throw new TokenizerException(p + ": " + size + " bytes is too large for a tokenizer file");
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new TokenizerException(p + ": cannot read: " + e.getMessage(), e);
        }
    }

    private static String configModelType(Path dir) {
        Path c = dir.resolve("config.json");
        if (!Files.isRegularFile(c)) return null;
        try {
            JsonNode n = JSON.readTree(read(c));
            return n.path("model_type").isTextual() ? n.get("model_type").asText() : null;
        } catch (IOException e) {
            throw new TokenizerException(c + ": not valid JSON: " + e.getMessage(), e);
        }
    }

    // ------------------------------------------------------------------ tokenizer.json

    /** Parses a {@code tokenizer.json} text. */
    public static PipelineTokenizer fromJson(String json, String src) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new TokenizerException(src + ": not valid JSON: " + e.getOriginalMessage()
                    + (e.getLocation() != null ? " (line " + e.getLocation().getLineNr() + ")" : ""), e);
        }
        if (root == null || !root.isObject()) throw new TokenizerException(src + ": the top level is not a JSON object");
        JsonNode modelNode = root.get("model");
        if (modelNode == null || !modelNode.isObject()) throw new TokenizerException(src + ": field \"model\" is missing");
        Model model = model(modelNode, src);
        AddedVocabulary added = new AddedVocabulary();
        JsonNode at = root.path("added_tokens");
        int maxAddedId = -1;
        if (!at.isMissingNode() && !at.isNull()) {
            if (!at.isArray()) throw new TokenizerException(src + ": added_tokens is not an array");
            for (int i = 0; i < at.size(); i++) {
                JsonNode t = at.get(i);
                String f = "added_tokens[" + i + "]";
                int id = intField(t, "id", src, f);
                String content = textField(t, "content", src, f);
                added.add(new AddedVocabulary.Token(content, id, t.path("special").asBoolean(false), t.path("lstrip").asBoolean(false),
                        t.path("rstrip").asBoolean(false), t.path("single_word").asBoolean(false)));
                maxAddedId = Math.max(maxAddedId, id);
            }
        }
        Normalizer normalizer = normalizer(root.get("normalizer"), src, "normalizer");
        PreTokenizer pre = preTokenizer(root.get("pre_tokenizer"), src, "pre_tokenizer");
        PostProcessor post = postProcessor(root.get("post_processor"), src, "post_processor", model, added);
        int vocabSize = Math.max(model.vocabSize(), maxAddedId + 1);
        int unk = model instanceof WordPiece wp ? wp.tokenToId(textOr(modelNode, "unk_token", "[UNK]"))
                : modelNode.path("unk_id").asInt(-1);
        int pad = firstId(model, added, root.path("padding").path("pad_token").asText(null), "[PAD]", "<pad>");
        int cls = firstId(model, added, "[CLS]", "<s>");
        int sep = firstId(model, added, "[SEP]", "</s>");
        return new PipelineTokenizer(src, added, normalizer, pre, model, post, vocabSize, pad, cls, sep, unk, false);
    }

    private static int firstId(Model m, AddedVocabulary added, String... tokens) {
        for (String t : tokens) {
            if (t == null) continue;
            for (AddedVocabulary.Token a : added.tokens()) if (a.content().equals(t)) return a.id();
            int id = m.tokenToId(t);
            if (id >= 0) return id;
        }
        return -1;
    }

    private static Model model(JsonNode m, String src) {
        String type = m.path("type").asText(null);
        if (type == null) type = m.path("vocab").isArray() ? "Unigram" : m.has("continuing_subword_prefix") ? "WordPiece" : null;
        if (type == null) throw new TokenizerException(src + ": model.type is missing");
        switch (type) {
            case "WordPiece": {
                JsonNode vocab = m.get("vocab");
                if (vocab == null || !vocab.isObject()) throw new TokenizerException(src + ": model.vocab is missing or not an object");
                int max = -1;
                for (JsonNode v : vocab) {
                    if (!v.canConvertToInt() || v.asInt() < 0) throw new TokenizerException(src + ": model.vocab has a non-integer or negative id: " + v);
                    max = Math.max(max, v.asInt());
                }
                if (max >= 10_000_000) throw new TokenizerException(src + ": model.vocab id " + max + " is implausibly large");
                String[] arr = new String[max + 1];
                for (Iterator<Map.Entry<String, JsonNode>> it = vocab.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    arr[e.getValue().asInt()] = e.getKey();
                }
                for (int i = 0; i < arr.length; i++)
                    if (arr[i] == null) throw new TokenizerException(src + ": model.vocab has no token with id " + i);
                String unk = textOr(m, "unk_token", "[UNK]");
                return new WordPiece(arr, unk, textOr(m, "continuing_subword_prefix", "##"),
                        m.path("max_input_chars_per_word").asInt(100), src + ": model");
            }
            case "Unigram": {
                JsonNode vocab = m.get("vocab");
                if (vocab == null || !vocab.isArray()) throw new TokenizerException(src + ": model.vocab is missing or not an array");
                String[] pieces = new String[vocab.size()];
                double[] scores = new double[vocab.size()];
                for (int i = 0; i < pieces.length; i++) {
                    JsonNode e = vocab.get(i);
                    if (!e.isArray() || e.size() != 2 || !e.get(0).isTextual() || !e.get(1).isNumber())
                        throw new TokenizerException(src + ": model.vocab[" + i + "] is not a [piece, score] pair");
                    pieces[i] = e.get(0).asText();
                    scores[i] = e.get(1).asDouble();
                }
                JsonNode unk = m.get("unk_id");
                if (unk == null || unk.isNull()) throw new TokenizerException(src + ": model.unk_id is missing (a Unigram vocab without an unknown token)");
                return new Unigram(pieces, scores, unk.asInt(), m.path("byte_fallback").asBoolean(false), null, src + ": model");
            }
            default:
                throw new TokenizerException(src + ": model.type \"" + type + "\" is not supported (supported: WordPiece, Unigram)");
        }
    }

    private static Normalizer normalizer(JsonNode n, String src, String path) {
        if (n == null || n.isNull()) return null;
        String type = n.path("type").asText(null);
        if (type == null) throw new TokenizerException(src + ": " + path + ".type is missing");
        switch (type) {
            case "BertNormalizer": {
                boolean lower = n.path("lowercase").asBoolean(true);
                JsonNode sa = n.get("strip_accents");
                boolean strip = sa == null || sa.isNull() ? lower : sa.asBoolean();
                return new Normalizers.Bert(n.path("clean_text").asBoolean(true), n.path("handle_chinese_chars").asBoolean(true), strip, lower);
            }
            case "Lowercase": return new Normalizers.Lowercase();
            case "StripAccents": return new Normalizers.StripAccents();
            case "NFC": return new Normalizers.Unicode(Form.NFC);
            case "NFD": return new Normalizers.Unicode(Form.NFD);
            case "NFKC": return new Normalizers.Unicode(Form.NFKC);
            case "NFKD": return new Normalizers.Unicode(Form.NFKD);
            case "Strip": return new Normalizers.Strip(n.path("strip_left").asBoolean(true), n.path("strip_right").asBoolean(true));
            case "Prepend": return new Normalizers.Prepend(textField(n, "prepend", src, path));
            case "Replace": return new Normalizers.Replace(pattern(n, src, path), textField(n, "content", src, path));
            case "Precompiled": {
                JsonNode cm = n.get("precompiled_charsmap");
                if (cm == null || cm.isNull()) return null; // HuggingFace: an empty charsmap normalizes nothing
                byte[] data;
                try {
                    data = Base64.getDecoder().decode(cm.asText());
                } catch (IllegalArgumentException e) {
                    throw new TokenizerException(src + ": " + path + ".precompiled_charsmap is not base64: " + e.getMessage());
                }
                if (data.length == 0) return null;
                return new Precompiled(CharsMap.parse(data, src + ": " + path + ".precompiled_charsmap"));
            }
            case "Sequence": {
                JsonNode arr = n.get("normalizers");
                if (arr == null || !arr.isArray()) throw new TokenizerException(src + ": " + path + ".normalizers is missing or not an array");
                List<Normalizer> steps = new ArrayList<>();
                for (int i = 0; i < arr.size(); i++) {
                    Normalizer s = normalizer(arr.get(i), src, path + ".normalizers[" + i + "]");
                    if (s != null) steps.add(s);
                }
                return new Normalizers.Sequence(steps);
            }
            default:
                throw new TokenizerException(src + ": " + path + ".type \"" + type + "\" is not supported (supported: BertNormalizer, "
                        + "Precompiled, NFC, NFD, NFKC, NFKD, Replace, Prepend, Strip, Sequence, Lowercase, StripAccents)");
        }
    }

    private static Pattern pattern(JsonNode n, String src, String path) {
        JsonNode p = n.get("pattern");
        if (p == null || !p.isObject()) throw new TokenizerException(src + ": " + path + ".pattern is missing");
        if (p.has("String")) return Pattern.compile(Pattern.quote(p.get("String").asText()));
        if (p.has("Regex")) {
            try {
                return Pattern.compile(p.get("Regex").asText(), Pattern.UNICODE_CHARACTER_CLASS);
            } catch (PatternSyntaxException e) {
                throw new TokenizerException(src + ": " + path + ".pattern.Regex is not a valid regex: " + e.getDescription());
            }
        }
        throw new TokenizerException(src + ": " + path + ".pattern must have \"String\" or \"Regex\"");
    }

    private static PreTokenizer preTokenizer(JsonNode n, String src, String path) {
        if (n == null || n.isNull()) return null;
        String type = n.path("type").asText(null);
        if (type == null) throw new TokenizerException(src + ": " + path + ".type is missing");
        switch (type) {
            case "BertPreTokenizer": return new PreTokenizers.Bert();
            case "WhitespaceSplit": return new PreTokenizers.WhitespaceSplit();
            case "Metaspace": {
                String rep = textOr(n, "replacement", "\u2581");
                if (rep.length() != 1) throw new TokenizerException(src + ": " + path + ".replacement must be one character, got \"" + rep + "\"");
                String scheme;
                if (n.has("prepend_scheme")) {
                    scheme = n.get("prepend_scheme").asText();
                    if (!List.of("always", "first", "never").contains(scheme))
                        throw new TokenizerException(src + ": " + path + ".prepend_scheme \"" + scheme + "\" is not always, first or never");
                } else {
                    scheme = n.path("add_prefix_space").asBoolean(true) ? "always" : "never";
                }
                return new PreTokenizers.Metaspace(rep.charAt(0), scheme, n.path("split").asBoolean(true));
            }
            case "Sequence": {
                JsonNode arr = n.get("pretokenizers");
                if (arr == null || !arr.isArray()) throw new TokenizerException(src + ": " + path + ".pretokenizers is missing or not an array");
                List<PreTokenizer> steps = new ArrayList<>();
                for (int i = 0; i < arr.size(); i++) {
                    PreTokenizer s = preTokenizer(arr.get(i), src, path + ".pretokenizers[" + i + "]");
                    if (s != null) steps.add(s);
                }
                return new PreTokenizers.Sequence(steps);
            }
            default:
                throw new TokenizerException(src + ": " + path + ".type \"" + type
                        + "\" is not supported (supported: BertPreTokenizer, Metaspace, WhitespaceSplit, Sequence)");
        }
    }

    private static PostProcessor postProcessor(JsonNode n, String src, String path, Model model, AddedVocabulary added) {
        if (n == null || n.isNull()) return PostProcessor.NONE;
        String type = n.path("type").asText(null);
        if (type == null) throw new TokenizerException(src + ": " + path + ".type is missing");
        switch (type) {
            case "BertProcessing":
            case "RobertaProcessing": {
                JsonNode cls = n.get("cls"), sep = n.get("sep");
                for (String f : List.of("cls", "sep")) {
                    JsonNode x = n.get(f);
                    if (x == null || !x.isArray() || x.size() != 2 || !x.get(1).canConvertToInt())
                        throw new TokenizerException(src + ": " + path + "." + f + " must be [token, id]");
                }
                return PostProcessor.of(List.of(cls.get(1).asInt()), List.of(cls.get(0).asText()),
                        List.of(sep.get(1).asInt()), List.of(sep.get(0).asText()));
            }
            case "TemplateProcessing": {
                JsonNode single = n.get("single");
                if (single == null || !single.isArray()) throw new TokenizerException(src + ": " + path + ".single is missing or not an array");
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
                        String id = textField(item.get("SpecialToken"), "id", src, f + ".SpecialToken");
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
                return PostProcessor.of(preIds, preTok, sufIds, sufTok);
            }
            default:
                throw new TokenizerException(src + ": " + path + ".type \"" + type
                        + "\" is not supported (supported: TemplateProcessing, BertProcessing, RobertaProcessing)");
        }
    }

    private static String textOr(JsonNode n, String field, String dflt) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? dflt : v.asText();
    }

    private static String textField(JsonNode n, String field, String src, String path) {
        JsonNode v = n == null ? null : n.get(field);
        if (v == null || !v.isTextual()) throw new TokenizerException(src + ": " + path + "." + field + " is missing or not a string");
        return v.asText();
    }

    private static int intField(JsonNode n, String field, String src, String path) {
        JsonNode v = n == null ? null : n.get(field);
        if (v == null || !v.canConvertToInt() || v.asInt() < 0)
            throw new TokenizerException(src + ": " + path + "." + field + " is missing or not a non-negative integer");
        return v.asInt();
    }

    // ------------------------------------------------------------------ vocab.txt

    /**
     * A BERT tokenizer from {@code vocab.txt}, as transformers' {@code BertTokenizerFast} builds it: BertNormalizer (lowercase
     * and accent stripping per {@code do_lower_case} of the sibling {@code tokenizer_config.json}; without that file, lowercase
     * only when the vocabulary has no cased tokens), BertPreTokenizer, WordPiece ("##", 100 chars), [CLS] … [SEP].
     */
    public static PipelineTokenizer fromVocabTxt(Path vocabFile) {
        String src = vocabFile.toString();
        String text = new String(read(vocabFile), StandardCharsets.UTF_8);
        List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
        if (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) lines.remove(lines.size() - 1);
        String[] vocab = new String[lines.size()];
        for (int i = 0; i < vocab.length; i++) {
            String l = lines.get(i);
            vocab[i] = l.endsWith("\r") ? l.substring(0, l.length() - 1) : l; // Python's readlines + rstrip("\n")
        }
        Boolean lower = null;
        Boolean stripAccents = null;
        Path cfg = vocabFile.resolveSibling("tokenizer_config.json");
        String unkTok = "[UNK]", clsTok = "[CLS]", sepTok = "[SEP]", padTok = "[PAD]", maskTok = "[MASK]";
        boolean chinese = true;
        if (Files.isRegularFile(cfg)) {
            try {
                JsonNode c = JSON.readTree(read(cfg));
                if (c.has("do_lower_case")) lower = c.get("do_lower_case").asBoolean();
                if (c.has("strip_accents") && !c.get("strip_accents").isNull()) stripAccents = c.get("strip_accents").asBoolean();
                if (c.has("tokenize_chinese_chars")) chinese = c.get("tokenize_chinese_chars").asBoolean();
                unkTok = tokenName(c, "unk_token", unkTok);
                clsTok = tokenName(c, "cls_token", clsTok);
                sepTok = tokenName(c, "sep_token", sepTok);
                padTok = tokenName(c, "pad_token", padTok);
                maskTok = tokenName(c, "mask_token", maskTok);
            } catch (IOException e) {
                throw new TokenizerException(cfg + ": not valid JSON: " + e.getMessage(), e);
            }
        }
        if (lower == null) lower = !hasCasedTokens(vocab);
        VocabMap ids = new VocabMap(vocab.length);
        for (int i = 0; i < vocab.length; i++) ids.put(vocab[i], i);
        if (ids.get(unkTok) < 0) throw new TokenizerException(src + ": the vocabulary has no unknown token \"" + unkTok + "\"");
        for (String[] t : new String[][] {{clsTok, "cls_token"}, {sepTok, "sep_token"}})
            if (ids.get(t[0]) < 0) throw new TokenizerException(src + ": the vocabulary has no " + t[1] + " \"" + t[0] + "\"");
        WordPiece wp = new WordPiece(vocab, unkTok, "##", 100, src);
        AddedVocabulary added = new AddedVocabulary();
        for (String t : List.of(unkTok, sepTok, padTok, clsTok, maskTok)) {
            int id = ids.get(t);
            if (id >= 0) added.add(new AddedVocabulary.Token(t, id, true, false, false, false));
        }
        int cls = ids.get(clsTok), sep = ids.get(sepTok);
        PostProcessor post = PostProcessor.of(List.of(cls), List.of(clsTok), List.of(sep), List.of(sepTok));
        Normalizer norm = new Normalizers.Bert(true, chinese, stripAccents != null ? stripAccents : lower, lower);
        return new PipelineTokenizer(src, added, norm, new PreTokenizers.Bert(), wp, post, vocab.length, ids.get(padTok), cls, sep,
                ids.get(unkTok), false);
    }

    private static String tokenName(JsonNode c, String field, String dflt) {
        JsonNode v = c.get(field);
        if (v == null || v.isNull()) return dflt;
        if (v.isTextual()) return v.asText();
        if (v.isObject() && v.path("content").isTextual()) return v.get("content").asText();
        return dflt;
    }

    /** Whether a WordPiece vocabulary is cased: more than 1% of its non-bracketed tokens hold an uppercase letter. */
    private static boolean hasCasedTokens(String[] vocab) {
        int upper = 0;
        for (String t : vocab) {
            if (t.startsWith("[") && t.endsWith("]")) continue;
            if (!t.equals(t.toLowerCase(Locale.ROOT))) upper++;
        }
        return upper > vocab.length / 100;
    }

    // ------------------------------------------------------------------ SentencePiece

    /**
     * A SentencePiece Unigram {@code .model}. Without a model type: SentencePiece's own ids and pieces, no special tokens
     * (an unknown piece is its surface text, as {@code encode(out_type=str)} gives). With {@code "xlm-roberta"}: fairseq's
     * layout ({@code <s>}=0, {@code <pad>}=1, {@code </s>}=2, {@code <unk>}=3, piece ids from 3 on + 1, {@code <mask>} last)
     * and {@code <s> … </s>} around every sequence, as HuggingFace's XLMRobertaTokenizerFast.
     */
    public static PipelineTokenizer fromSentencePiece(byte[] data, String src, String modelType) {
        SentencePieceModel m = SentencePieceModel.parse(data, src);
        if (m.modelType() != SentencePieceModel.UNIGRAM)
            throw new TokenizerException(src + ": trainer_spec.model_type " + m.modelType() + " is not supported (only UNIGRAM = 1)");
        if (m.treatWhitespaceAsSuffix())
            throw new TokenizerException(src + ": trainer_spec.treat_whitespace_as_suffix is not supported");
        CharsMap map = m.charsmap() == null || m.charsmap().length == 0 ? null : CharsMap.parse(m.charsmap(), src + ": normalizer_spec.precompiled_charsmap");
        if (map == null && m.normalizerName() != null && !m.normalizerName().equals("identity"))
            throw new TokenizerException(src + ": normalizer_spec.name \"" + m.normalizerName() + "\" has no precompiled_charsmap");
        int n = m.pieces().size();
        int unk = -1;
        List<String> userDefined = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (m.types()[i] == SentencePieceModel.UNKNOWN && unk < 0) unk = i;
            if (m.types()[i] == SentencePieceModel.USER_DEFINED) userDefined.add(m.pieces().get(i));
        }
        if (unk < 0) throw new TokenizerException(src + ": pieces has no piece of type UNKNOWN (trainer_spec.unk_id " + m.unkId() + ")");
        // unigram_model.cc starts max_score_ at FLT_MIN (the least positive normal float, not -FLT_MAX): with the usual
        // all-negative log-probabilities a user-defined piece scores about -0.1 whatever its length
        float maxScore = Float.MIN_NORMAL;
        for (int i = 0; i < n; i++) if (m.types()[i] == SentencePieceModel.NORMAL) maxScore = Math.max(maxScore, m.scores()[i]);
        boolean xlmr = XLM_ROBERTA.equals(modelType);
        if (modelType != null && !xlmr && !modelType.equals("raw"))
            throw new TokenizerException(src + ": model type \"" + modelType + "\" has no SentencePiece id layout (supported: xlm-roberta)");
        if (!xlmr) {
            String[] pieces = m.pieces().toArray(String[]::new);
            double[] scores = new double[n];
            boolean[] matchable = new boolean[n], ud = new boolean[n];
            for (int i = 0; i < n; i++) {
                scores[i] = m.scores()[i];
                int t = m.types()[i];
                matchable[i] = t == SentencePieceModel.NORMAL || t == SentencePieceModel.USER_DEFINED;
                ud[i] = t == SentencePieceModel.USER_DEFINED;
            }
            SpmNormalizer norm = new SpmNormalizer(map, m.addDummyPrefix(), m.removeExtraWhitespaces(), m.escapeWhitespaces(), userDefined);
            Unigram model = new Unigram(pieces, scores, unk, m.byteFallback(), new Unigram.SpmRules(matchable, ud, maxScore), src);
            // no split into words: SentencePiece runs one Viterbi over the whole normalized text, and its float-rounded
            // path sums (see Unigram.viterbiSpm) depend on everything before, so a per-word lattice breaks ties differently
            PreTokenizer words = new PreTokenizers.Metaspace(SpmNormalizer.SPACE, "never", false);
            return new PipelineTokenizer(src, new AddedVocabulary(), norm, words, model, PostProcessor.NONE, n,
                    m.padId(), m.bosId(), m.eosId(), unk, true);
        }
        // fairseq layout, built exactly as transformers' XLMRobertaConverter does (what AutoTokenizer loads): 4 specials,
        // SentencePiece pieces from id 3 on shifted by one, <mask> last; normalizer Precompiled + Strip(right) +
        // Replace(" {2,}" -> "▁"), Metaspace(prepend always), HuggingFace Unigram rules; control and user-defined pieces
        // become added tokens
        int size = n + 2;
        String[] pieces = new String[size];
        double[] scores = new double[size];
        String[] specials = {"<s>", "<pad>", "</s>", "<unk>"};
        System.arraycopy(specials, 0, pieces, 0, 4);
        for (int i = 3; i < n; i++) {
            pieces[i + 1] = m.pieces().get(i);
            scores[i + 1] = m.scores()[i];
        }
        pieces[size - 1] = "<mask>";
        Unigram model = new Unigram(pieces, scores, 3, m.byteFallback(), null, src);
        AddedVocabulary added = new AddedVocabulary();
        for (int i = 0; i < 4; i++) added.add(new AddedVocabulary.Token(specials[i], i, true, false, false, false));
        for (int i = 3; i < n; i++) {
            int t = m.types()[i];
            if (t == SentencePieceModel.CONTROL || t == SentencePieceModel.USER_DEFINED)
                added.add(new AddedVocabulary.Token(m.pieces().get(i), i + 1, t == SentencePieceModel.CONTROL, false, false, false));
        }
        added.add(new AddedVocabulary.Token("<mask>", size - 1, true, true, false, false));
        List<Normalizer> steps = new ArrayList<>();
        if (map != null) steps.add(new Precompiled(map));
        steps.add(new Normalizers.Strip(false, true));
        steps.add(new Normalizers.Replace(Pattern.compile(" {2,}"), "\u2581"));
        PreTokenizer meta = new PreTokenizers.Metaspace(SpmNormalizer.SPACE, "always", true);
        PostProcessor post = PostProcessor.of(List.of(0), List.of("<s>"), List.of(2), List.of("</s>"));
        return new PipelineTokenizer(src, added, new Normalizers.Sequence(steps), meta, model, post, size, 1, 0, 2, 3, false);
    }
}
