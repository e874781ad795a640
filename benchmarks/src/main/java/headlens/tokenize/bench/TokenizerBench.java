package headlens.tokenize.bench;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import headlens.tokenize.SentencePieceModel;
import headlens.tokenize.Tokenizer;
import headlens.tokenize.TokenizerRecipes;
import headlens.tokenize.Tokenizers;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Tokens per second of headlens vs HuggingFace's Rust tokenizers (DJL binding) on the same multilingual text, same JVM,
 * one thread each, one call per utterance, alternating rounds. Usage: TokenizerBench SHARED_DIR [rounds].
 */
public final class TokenizerBench {
    public static void main(String[] args) throws Exception {
        Path shared = Path.of(args.length > 0 ? args[0] : "../shared");
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        List<String> text = new ArrayList<>();
        try (var langs = Files.list(shared.resolve("data/slot"))) {
            for (Path l : langs.sorted().toList()) {
                Path f = l.resolve("test.conll");
                if (!Files.isRegularFile(f)) continue;
                for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) if (line.startsWith("# text = ")) text.add(line.substring(9));
            }
        }
        Path assets = shared.resolve("assets");
        Path xlmrJson = Files.createTempFile("xlmr-fixture", ".json");
        Path spm = assets.resolve("sentencepiece-fixtures/transformers_fixture_spiece.model");
        Files.writeString(xlmrJson, TokenizerRecipes.xlmRoberta(SentencePieceModel.parse(Files.readAllBytes(spm), spm.toString()), spm.toString()).toString());
        Map<String, Path> cases = new java.util.LinkedHashMap<>();
        cases.put("mBERT WordPiece (tokenizer.json)", assets.resolve("bert-base-multilingual-cased/tokenizer.json"));
        cases.put("XLM-R-style Unigram (30k fixture, converted tokenizer.json)", xlmrJson);
        System.out.printf("corpus: %d xSID test utterances, 19 languages; %d timed rounds each, best round reported; JVM %s%n",
                text.size(), rounds, System.getProperty("java.version"));
        System.out.println("| tokenizer | headlens tokens/s (1 thread) | HF Rust via DJL, encode per utterance | ratio | HF Rust via DJL, batchEncode ×1000 (Rust threads) | ratio |");
        System.out.println("|---|---:|---:|---:|---:|---:|");
        for (Map.Entry<String, Path> c : cases.entrySet()) {
            Tokenizer ours = Tokenizers.load(c.getValue());
            HuggingFaceTokenizer hf = HuggingFaceTokenizer.newInstance(c.getValue(), Map.of("addSpecialTokens", "true", "truncation", "false", "padding", "false"));
            for (int w = 0; w < 3; w++) { runOurs(ours, text); runHf(hf, text); } // warm-up (JIT)
            runHfBatch(hf, text);
            double bestOurs = 0, bestHf = 0, bestBatch = 0;
            for (int r = 0; r < rounds; r++) {
                bestOurs = Math.max(bestOurs, runOurs(ours, text));
                bestHf = Math.max(bestHf, runHf(hf, text));
                bestBatch = Math.max(bestBatch, runHfBatch(hf, text));
            }
            System.out.printf("| %s | %,.0f | %,.0f | %.2f× | %,.0f | %.2f× |%n", c.getKey(), bestOurs, bestHf, bestOurs / bestHf,
                    bestBatch, bestOurs / bestBatch);
        }
        Files.deleteIfExists(xlmrJson);
    }

    static double runOurs(Tokenizer t, List<String> text) {
        long tokens = 0, t0 = System.nanoTime();
        for (String s : text) tokens += t.encode(s).length();
        return tokens / ((System.nanoTime() - t0) / 1e9);
    }

    static double runHfBatch(HuggingFaceTokenizer t, List<String> text) {
        long tokens = 0, t0 = System.nanoTime();
        for (int i = 0; i < text.size(); i += 1000) {
            for (ai.djl.huggingface.tokenizers.Encoding e : t.batchEncode(text.subList(i, Math.min(text.size(), i + 1000))))
                tokens += e.getIds().length;
        }
        return tokens / ((System.nanoTime() - t0) / 1e9);
    }

    static double runHf(HuggingFaceTokenizer t, List<String> text) {
        long tokens = 0, t0 = System.nanoTime();
        for (String s : text) tokens += t.encode(s).getIds().length;
        return tokens / ((System.nanoTime() - t0) / 1e9);
    }
}
