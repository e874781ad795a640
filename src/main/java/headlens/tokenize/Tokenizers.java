package headlens.tokenize;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Loads tokenizers: HuggingFace {@code tokenizer.json}, a legacy BERT {@code vocab.txt} (+ {@code tokenizer_config.json}),
 * or a SentencePiece {@code .model} (raw, or with XLM-R's fairseq id layout). The legacy files become the tokenizer.json
 * that {@link TokenizerRecipes} writes for them; each pipeline stage reads its own part of a tokenizer.json
 * ({@code Normalizers}, {@code PreTokenizers}, {@code Model}, {@code PostProcessor}, {@code AddedVocabulary}). Errors name
 * the file and the field.
 */
public final class Tokenizers {
    private Tokenizers() {}

    /** Model type that puts a SentencePiece model into XLM-R's fairseq id layout. */
    public static final String XLM_ROBERTA = "xlm-roberta";
    private static final long MAX_FILE = 1L << 30;

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
            JsonNode n = JsonFields.MAPPER.readTree(read(c));
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
            root = JsonFields.MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new TokenizerException(src + ": not valid JSON: " + e.getOriginalMessage()
                    + (e.getLocation() != null ? " (line " + e.getLocation().getLineNr() + ")" : ""), e);
        }
        return fromJson(root, src);
    }

    /** A {@code tokenizer.json} tree: each pipeline stage parses its own part ({@code Normalizers.fromJson}, …). */
    static PipelineTokenizer fromJson(JsonNode root, String src) {
        if (root == null || !root.isObject()) throw new TokenizerException(src + ": the top level is not a JSON object");
        JsonNode modelNode = root.get("model");
        if (modelNode == null || !modelNode.isObject()) throw new TokenizerException(src + ": field \"model\" is missing");
        Model model = Model.fromJson(modelNode, src);
        AddedVocabulary added = AddedVocabulary.fromJson(root.get("added_tokens"), src);
        Normalizer normalizer = Normalizers.fromJson(root.get("normalizer"), src, "normalizer");
        PreTokenizer pre = PreTokenizers.fromJson(root.get("pre_tokenizer"), src, "pre_tokenizer");
        PostProcessor post = PostProcessor.fromJson(root.get("post_processor"), src, "post_processor");
        int vocabSize = Math.max(model.vocabSize(), added.maxId() + 1);
        int pad = firstId(model, added, root.path("padding").path("pad_token").asText(null), "[PAD]", "<pad>");
        int cls = firstId(model, added, "[CLS]", "<s>");
        int sep = firstId(model, added, "[SEP]", "</s>");
        return new PipelineTokenizer(src, added, normalizer, pre, model, post, vocabSize, pad, cls, sep, model.unkId(), false);
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

    // ------------------------------------------------------------------ vocab.txt

    /**
     * A BERT tokenizer from {@code vocab.txt} and its sibling {@code tokenizer_config.json} and {@code special_tokens_map.json}:
     * the tokenizer.json that {@link TokenizerRecipes#bert} writes (what transformers' BertTokenizerFast builds; the weights
     * converter writes the same file).
     */
    public static PipelineTokenizer fromVocabTxt(Path vocabFile) {
        return fromJson(TokenizerRecipes.bert(vocabFile).json(), vocabFile.toString());
    }

    // ------------------------------------------------------------------ SentencePiece

    /**
     * A SentencePiece Unigram {@code .model}. Without a model type: SentencePiece's own ids and pieces, no special tokens
     * (an unknown piece is its surface text, as {@code encode(out_type=str)} gives). With {@code "xlm-roberta"}: fairseq's
     * layout ({@code <s>}=0, {@code <pad>}=1, {@code </s>}=2, {@code <unk>}=3, piece ids from 3 on + 1, {@code <mask>} last)
     * and {@code <s> … </s>} around every sequence: the tokenizer.json of {@link TokenizerRecipes#xlmRoberta}, as
     * HuggingFace's XLMRobertaTokenizerFast.
     */
    public static PipelineTokenizer fromSentencePiece(byte[] data, String src, String modelType) {
        SentencePieceModel m = SentencePieceModel.parse(data, src);
        boolean xlmr = XLM_ROBERTA.equals(modelType);
        if (modelType != null && !xlmr && !modelType.equals("raw"))
            throw new TokenizerException(src + ": model type \"" + modelType + "\" has no SentencePiece id layout (supported: xlm-roberta)");
        if (xlmr) return fromJson(TokenizerRecipes.xlmRoberta(m, src), src);   // what XLMRobertaTokenizerFast builds
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
        // path sums (see Unigram.viterbi) depend on everything before, so a per-word lattice breaks ties differently
        PreTokenizer words = new PreTokenizers.Metaspace(SpmNormalizer.SPACE, "never", false);
        return new PipelineTokenizer(src, new AddedVocabulary(), norm, words, model, PostProcessor.NONE, n,
                m.padId(), m.bosId(), m.eosId(), unk, true);
    }
}
