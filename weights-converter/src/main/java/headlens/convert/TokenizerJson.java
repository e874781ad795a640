package headlens.convert;

import headlens.core.BoundedFiles;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import headlens.core.HeadlensException;
import headlens.tokenize.SentencePieceModel;
import headlens.tokenize.TokenizerRecipes;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The {@code tokenizer.json} a converted model directory gets when its source has none: the tree that
 * {@link TokenizerRecipes} writes (transformers' {@code BertConverter} for a WordPiece {@code vocab.txt} with
 * {@code tokenizer_config.json} and {@code special_tokens_map.json}, {@code XLMRobertaConverter} for XLM-R's
 * {@code sentencepiece.bpe.model}), the same recipe that {@code Tokenizers} loads those files by.
 */
public final class TokenizerJson {
    private TokenizerJson() {}

    public static final String FILE = "tokenizer.json", VOCAB_TXT = "vocab.txt", SPM = "sentencepiece.bpe.model",
            TOKENIZER_CONFIG = TokenizerRecipes.TOKENIZER_CONFIG;
    /** Bound for an untrusted input (XLM-R's .model is 5 MB). */
    static final long MAX_SPM_BYTES = 256L << 20;

    /** A generated tokenizer.json: its bytes, the file it was made from, and remarks for the user. */
    public record Generated(byte[] json, Path source, List<String> notes) {}

    /**
     * The tokenizer.json to add to a model directory converted from {@code dir}: null when {@code dir} already has one or
     * has neither {@code sentencepiece.bpe.model} nor {@code vocab.txt}. Bad files throw {@link HeadlensException} naming them.
     */
    public static Generated forDirectory(Path dir) {
        if (Files.isRegularFile(dir.resolve(FILE))) return null;
        Path spm = dir.resolve(SPM), vocab = dir.resolve(VOCAB_TXT);
        if (Files.isRegularFile(spm)) {
            SentencePieceModel m = SentencePieceModel.parse(BoundedFiles.read(spm, MAX_SPM_BYTES, "this file"), spm.toString());
            return generated(TokenizerRecipes.xlmRoberta(m, spm.toString()), spm, List.of());
        }
        if (Files.isRegularFile(vocab)) {
            TokenizerRecipes.Recipe r = TokenizerRecipes.bert(vocab);
            return generated(r.json(), vocab, r.notes());
        }
        return null;
    }

    private static Generated generated(ObjectNode json, Path source, List<String> notes) {
        try {
            return new Generated(Safetensors.JSON.writeValueAsBytes(json), source, notes);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A JSON config file, or null when absent. */
    static JsonNode readConfig(Path f) {
        return TokenizerRecipes.readConfig(f);
    }

}
