package headlens.tokenize;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.*;

/**
 * vocab.txt → tokenizer, the one recipe ({@link TokenizerRecipes#bert}) that {@code Tokenizers.fromVocabTxt} and the weights
 * converter share, on each point where their two former copies disagreed, with the reference's answer: transformers'
 * {@code load_vocab} (tokenization_bert.py: {@code open(vocab_file, "r", encoding="utf-8").readlines()}, then
 * {@code token.rstrip("\n")}; the expected token lists below are what CPython 3.11 gives for these bytes),
 * {@code SpecialTokensMixin} for the special token fields, and the tokenizer.json files the hub ships with a cased (mBERT)
 * and an uncased (MiniLM) vocabulary.
 */
class TokenizerRecipesTest {
    static final ObjectMapper OM = new ObjectMapper();
    @TempDir Path dir;

    private Path vocab(String name, byte[] bytes) throws IOException {
        Path d = Files.createDirectories(dir.resolve(name));
        return Files.write(d.resolve("vocab.txt"), bytes);
    }

    /**
     * A lone {@code \r} ends a line (Python's universal newlines), as {@code \n} and {@code \r\n} do; no other character
     * does ({@code \u000b}, {@code \u001c}, {@code \u0085}, {@code \u2028} stay inside the token, though Python's
     * {@code str.splitlines} would split there), and spaces are kept. Python's answer for these bytes:
     * {@code [('[UNK]', 0), (' a', 1), ('##b ', 2), ('c', 3), ('', 4), ('d\x0be\u2028f\x85g\x1ch', 5)]}.
     * The old runtime copy split on {@code \n} only and made one token "##b \rc" of line 3.
     */
    @Test
    void lineEndsAreUniversalNewlinesAsInLoadVocab() throws IOException {
        Path v = vocab("crlf", "[UNK]\r\n a\r##b \rc\n\nd\u000be\u2028f\u0085g\u001ch".getBytes(UTF_8));
        List<String> want = List.of("[UNK]", " a", "##b ", "c", "", "d\u000be\u2028f\u0085g\u001ch");
        assertEquals(want, TokenizerRecipes.vocabLines(v));
        Files.writeString(v.resolveSibling("tokenizer_config.json"), "{\"cls_token\": \"c\", \"sep_token\": \"c\"}");
        PipelineTokenizer t = Tokenizers.fromVocabTxt(v);
        for (int id = 0; id < want.size(); id++) assertEquals(id, t.tokenToId(want.get(id)), want.get(id));
        assertEquals(-1, t.tokenToId("##b \rc"));
        assertEquals(8, t.vocabSize());   // [PAD] and [MASK] are missing: ids 6 and 7 (see the next test)
    }

    /** Special tokens that vocab.txt lacks are added after it, as transformers' add_special_tokens does. */
    @Test
    void missingSpecialTokensGetTheNextIds() throws IOException {
        Path v = vocab("nomask", "[UNK]\n[CLS]\n[SEP]\na\n".getBytes(UTF_8));
        PipelineTokenizer t = Tokenizers.fromVocabTxt(v);
        // fields in SPECIAL_TOKENS_ATTRIBUTES order: unk, sep, pad (new: 4), cls, mask (new: 5)
        assertEquals(4, t.tokenToId("[PAD]"));
        assertEquals(5, t.tokenToId("[MASK]"));
        assertEquals(6, t.vocabSize());
        assertArrayEquals(new int[] {1, 3, 5, 2}, t.encode("a [MASK]").ids());
    }

    /** Python's strict UTF-8 decoder refuses the file ("can't decode byte 0xc3 in position 6"); the old runtime copy read U+FFFD. */
    @Test
    void invalidUtf8IsAnErrorNamingTheLine() throws IOException {
        Path v = vocab("bad-utf8", new byte[] {'[', 'U', 'N', 'K', ']', '\n', (byte) 0xC3, '\n'});
        TokenizerException e = assertThrows(TokenizerException.class, () -> Tokenizers.fromVocabTxt(v));
        assertTrue(e.getMessage().startsWith(v + ": not valid UTF-8") && e.getMessage().contains("line 2, byte 6"), e.getMessage());
        Path w = vocab("bad-utf8-cr", new byte[] {'a', '\r', 'b', '\r', '\n', 'c', (byte) 0xFF});
        e = assertThrows(TokenizerException.class, () -> Tokenizers.load(w));
        assertTrue(e.getMessage().contains("line 3, byte 6"), e.getMessage());
    }

    /**
     * A special token field that is neither a string nor an AddedToken object: transformers raises
     * "TypeError: Special token unk_token has to be either str or AddedToken but got: &lt;class 'int'&gt;"; the old runtime
     * copy silently used "[UNK]". An AddedToken object ({"content": …}) is read, in tokenizer_config.json and in
     * special_tokens_map.json, the latter taking precedence (from_pretrained's merge).
     */
    @Test
    void specialTokenFieldsAsTransformersReadsThem() throws IOException {
        Path v = vocab("names", "[UNK]\n<oov>\n[CLS]\n[SEP]\na\n".getBytes(UTF_8));
        Path cfg = v.resolveSibling("tokenizer_config.json");
        Files.writeString(cfg, "{\"unk_token\": 5}");
        TokenizerException e = assertThrows(TokenizerException.class, () -> Tokenizers.fromVocabTxt(v));
        assertTrue(e.getMessage().startsWith(cfg + ": field \"unk_token\" must be a string"), e.getMessage());
        Files.writeString(cfg, "{\"do_lower_case\": \"no\"}");
        e = assertThrows(TokenizerException.class, () -> Tokenizers.fromVocabTxt(v));
        assertTrue(e.getMessage().startsWith(cfg + ": field \"do_lower_case\" must be true, false or null"), e.getMessage());

        Files.writeString(cfg, "{\"unk_token\": {\"__type\": \"AddedToken\", \"content\": \"[UNK]\"}}");
        assertEquals(0, Tokenizers.fromVocabTxt(v).unkId());
        assertArrayEquals(new int[] {2, 4, 0, 3}, Tokenizers.fromVocabTxt(v).encode("a b").ids());
        Files.writeString(v.resolveSibling("special_tokens_map.json"), "{\"unk_token\": \"<oov>\"}");
        PipelineTokenizer t = Tokenizers.fromVocabTxt(v);
        assertEquals(1, t.unkId());
        assertArrayEquals(new int[] {2, 4, 1, 3}, t.encode("a b").ids());
    }

    /** A token on two lines: transformers keeps the later id and leaves the earlier one unreachable; both readers refuse. */
    @Test
    void repeatedTokenIsAnErrorNamingBothLines() throws IOException {
        Path v = vocab("dup", "[UNK]\n[CLS]\n[SEP]\na\nb\na\n".getBytes(UTF_8));
        TokenizerException e = assertThrows(TokenizerException.class, () -> Tokenizers.load(v));
        assertTrue(e.getMessage().contains("vocab.txt: line 6") && e.getMessage().contains("repeats line 4"), e.getMessage());
    }

    /**
     * Casing without do_lower_case: mBERT's cased vocab.txt keeps case, with a note, and gives the normalizer of the hub's
     * tokenizer.json for it (../shared/assets/bert-base-multilingual-cased/SOURCE.md: BertNormalizer, clean_text and
     * handle_chinese_chars true, strip_accents null, lowercase false); transformers itself would lowercase here, which
     * the hub's file for this vocabulary does not. The sample's golden parity is GoldenParityTest's.
     */
    @Test
    void casedVocabularyWithoutConfigKeepsCaseWithANote() throws IOException {
        Path v = vocab("mbert", Files.readAllBytes(Golden.fixture("bert-base-multilingual-cased-vocab.txt")));
        TokenizerRecipes.Recipe r = TokenizerRecipes.bert(v);
        assertEquals(OM.readTree("{\"type\":\"BertNormalizer\",\"clean_text\":true,\"handle_chinese_chars\":true,"
                + "\"strip_accents\":null,\"lowercase\":false}"), r.json().get("normalizer"));
        assertEquals(1, r.notes().size());
        assertTrue(r.notes().get(0).contains("looks cased"), r.notes().get(0));
        // with the hub's tokenizer_config.json ({"do_lower_case": false}) the same tree, and no note
        Files.writeString(v.resolveSibling("tokenizer_config.json"), "{\"do_lower_case\": false}");
        TokenizerRecipes.Recipe withConfig = TokenizerRecipes.bert(v);
        assertEquals(r.json(), withConfig.json());
        assertEquals(List.of(), withConfig.notes());
    }

    /**
     * The uncased side: MiniLM's vocabulary (bert-base-uncased's, from the shipped all-MiniLM-L6-v2 tokenizer.json) written
     * as a bare vocab.txt gives that file's pipeline (lowercase true, no note), and the same encodings on the 689-line sample
     * as HuggingFace's Rust tokenizers on the shipped file.
     */
    @Test
    void uncasedVocabularyWithoutConfigGivesTheShippedTokenizer() throws IOException {
        ObjectNode shipped;
        try (InputStream in = getClass().getResourceAsStream("/all-minilm-l6-v2-tokenizer.json")) {
            shipped = (ObjectNode) OM.readTree(in);
        }
        JsonNode ids = shipped.at("/model/vocab");
        String[] lines = new String[ids.size()];
        for (Iterator<Map.Entry<String, JsonNode>> it = ids.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            lines[e.getValue().asInt()] = e.getKey();
        }
        Path v = vocab("minilm", (String.join("\n", lines) + "\n").getBytes(UTF_8));
        TokenizerRecipes.Recipe r = TokenizerRecipes.bert(v);
        assertEquals(List.of(), r.notes());
        for (String f : List.of("added_tokens", "normalizer", "pre_tokenizer", "post_processor", "decoder", "model"))
            assertEquals(shipped.get(f), r.json().get(f), f);

        Path json = dir.resolve("minilm.json");
        Files.writeString(json, shipped.toString());
        PipelineTokenizer ours = Tokenizers.fromVocabTxt(v);
        List<String> diffs = new ArrayList<>();
        try (HuggingFaceTokenizer hf = DjlReferenceTest.djl(json)) {
            for (Corpus.Utterance u : Corpus.sample())
                DjlReferenceTest.equal(ours.encode(u.text()), hf.encode(u.text()), diffs, u.text());
        }
        assertEquals(List.of(), diffs);
    }

    /** mBERT's vocab.txt alone gives the hub's tokenizer.json for it, field for field. */
    @Test
    @Tag("slow")
    void mbertVocabAloneGivesTheShippedTokenizerJson() throws IOException {
        Path mbert = Golden.assets().resolve("bert-base-multilingual-cased");
        Path v = vocab("mbert-shared", Files.readAllBytes(mbert.resolve("vocab.txt")));
        ObjectNode ours = TokenizerRecipes.bert(v).json(), ref = (ObjectNode) OM.readTree(mbert.resolve("tokenizer.json").toFile());
        ((ObjectNode) ours.get("model")).remove("type");   // the shipped file predates model.type
        assertEquals(ref, ours);
    }
}
