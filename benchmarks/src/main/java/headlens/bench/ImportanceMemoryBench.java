package headlens.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import headlens.config.EncoderConfig;
import headlens.core.Json;
import headlens.data.Batches;
import headlens.data.DataReaders;
import headlens.data.Example;
import headlens.data.LabelMap;
import headlens.data.Sentence;
import headlens.heads.HeadImportance;
import headlens.model.Encoder;
import headlens.model.RandomInit;
import headlens.tagger.Tagger;
import headlens.tokenize.Tokenizers;
import headlens.train.TokenClassifier;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Peak RSS of head-importance scoring with a BERT-base-sized model (mBERT's shape: 12 layers × 12 heads, hidden 768,
 * vocab 119,547; random weights, as no real BERT-base checkpoint is available offline) over the first N UD English-EWT
 * training sentences tokenized with mBERT's real vocab.txt. Run with the CLI launcher's JVM limits:
 * {@code BENCH_JAVA_OPTS="-Xmx4g -Dorg.bytedeco.javacpp.maxbytes=6G -Dorg.bytedeco.javacpp.maxphysicalbytes=12G" \
 *  benchmarks/java.sh headlens.bench.ImportanceMemoryBench [--sentences 1000] [--batch 16] [--max-length 128]}
 */
public final class ImportanceMemoryBench {
    public static void main(String[] args) throws Exception {
        int n = EncodeBench.intArg(args, "--sentences", 1000), batch = EncodeBench.intArg(args, "--batch", 16);
        int maxLen = EncodeBench.intArg(args, "--max-length", 128);
        Path shared = Path.of(System.getProperty("headlens.shared", "../shared"));
        Path mbert = shared.resolve("assets/bert-base-multilingual-cased");
        ObjectNode raw = (ObjectNode) Json.MAPPER.readTree(mbert.resolve("bert_config.json").toFile());
        raw.put("model_type", "bert");
        EncoderConfig cfg = EncoderConfig.fromJson(raw, "bert_config.json");
        List<Sentence> sents = DataReaders.sentences(shared.resolve("data/pos/en/train.conllu"), n);
        LabelMap labels = LabelMap.of(sents);
        var tok = Tokenizers.load(mbert.resolve("vocab.txt"));
        double rss0 = MemoryBench.rssGb();
        TokenClassifier clf = TokenClassifier.create(cfg, RandomInit.weights(cfg, 1), labels.size(), Encoder.Options.INFERENCE, 1);
        List<Example> feats = Tagger.features(tok, labels, sents, maxLen, Tagger.headStride(maxLen));
        double[] peak = {MemoryBench.rssGb()};
        int[] done = {0};
        long t0 = System.nanoTime();
        HeadImportance.Result r = HeadImportance.compute("en", clf, Batches.sorted(feats, batch, cfg.padTokenId()).stream().map(HeadImportance.Example::of).toList(), false, k -> {
            done[0] += k;
            try { peak[0] = Math.max(peak[0], MemoryBench.rssGb()); } catch (Exception ignored) { }
            if (done[0] % (batch * 10) == 0) System.out.printf(Locale.ROOT, "%d windows, rss peak %.2f GB%n", done[0], peak[0]);
        });
        double secs = (System.nanoTime() - t0) / 1e9;
        System.out.printf(Locale.ROOT, "BERT-base shape (%d layers x %d heads, hidden %d, vocab %d), %d sentences (%d windows, %d labelled tokens), "
                        + "batch %d, max length %d: %.1f s, RSS before model %.2f GB, peak %.2f GB, max heap %.1f GB%n",
                cfg.numHiddenLayers(), cfg.numAttentionHeads(), cfg.hiddenSize(), cfg.vocabSize(), sents.size(), r.windows(), r.tokens(),
                batch, maxLen, secs, rss0, peak[0], Runtime.getRuntime().maxMemory() / 1e9);
    }
}
