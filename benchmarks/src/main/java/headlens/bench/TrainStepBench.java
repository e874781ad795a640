package headlens.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import headlens.config.EncoderConfig;
import headlens.core.Json;
import headlens.model.Encoder;
import headlens.model.ModelSource;
import headlens.model.RandomInit;
import headlens.train.AdamW;
import headlens.train.TokenClassifier;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * One fine-tuning step (forward + backward + clipping + AdamW update, dropout on, every weight training) repeated at a fixed
 * batch × seq: tokens/s after warm-up and resident memory. Models: {@code minilm} (the embedded all-MiniLM-L6-v2) or
 * {@code bert-base} (BERT-base shape, vocab 30522, random weights), {@code mbert} (the same with mBERT's 119,547-word table). Output: one JSON line.
 * Run: {@code benchmarks/java.sh headlens.bench.TrainStepBench --model minilm --batch 16 --seq 128 --steps 30 --warmup 5}
 */
public final class TrainStepBench {
    public static void main(String[] args) throws Exception {
        String model = EncodeBench.arg(args, "--model", "minilm");
        int batch = EncodeBench.intArg(args, "--batch", 16), seq = EncodeBench.intArg(args, "--seq", 128);
        int steps = EncodeBench.intArg(args, "--steps", 30), warmup = EncodeBench.intArg(args, "--warmup", 5);
        EncoderConfig cfg;
        Map<String, INDArray> w;
        if (model.equals("minilm")) {
            ModelSource m = ModelSource.defaultModel();
            cfg = m.config();
            w = m.weights();
        } else {
            // mbert: BERT-base with multilingual BERT's 119,547-row word table (trained densely by AdamW, as HuggingFace does)
            ObjectNode o = Json.MAPPER.createObjectNode().put("model_type", "bert").put("vocab_size", model.equals("mbert") ? 119547 : 30522)
                    .put("hidden_size", 768).put("num_hidden_layers", 12).put("num_attention_heads", 12)
                    .put("intermediate_size", 3072).put("max_position_embeddings", 512).put("type_vocab_size", 2);
            cfg = EncoderConfig.fromJson(o, model);
            w = RandomInit.weights(cfg, 1);
        }
        int labels = 9;
        TokenClassifier tc = TokenClassifier.create(cfg, w, labels, Encoder.Options.TRAINING, 42);
        Map<String, INDArray> weights = tc.encoder().weights();
        List<String> names = tc.trainableNames(false, 0);
        AdamW adam = new AdamW(AdamW.Params.HF);
        Random r = new Random(1);
        int[][] ids = new int[batch][seq], mask = new int[batch][seq], y = new int[batch][seq];
        for (int i = 0; i < batch; i++)
            for (int j = 0; j < seq; j++) {
                ids[i][j] = j == 0 ? 101 : 1000 + r.nextInt(20000);
                mask[i][j] = 1;
                y[i][j] = j == 0 ? TokenClassifier.IGNORE : r.nextInt(labels);
            }
        Encoder.Batch b = new Encoder.Batch(ids, mask);
        double peak = 0, rssWarm = 0;
        long t0 = 0;
        for (int s = 0; s < warmup + steps; s++) {
            if (s == warmup) { t0 = System.nanoTime(); rssWarm = MemoryBench.rssGb(); }
            Nd4j.getRandom().setSeed(42 + s);
            long a0 = System.nanoTime();
            TokenClassifier.Step st = tc.lossAndGradients(b, y, true, names);
            long a1 = System.nanoTime();
            double norm = AdamW.globalNorm(st.gradients());
            adam.update(weights, st.gradients(), 5e-5, Math.min(1, 1 / (norm + 1e-6)));
            long a2 = System.nanoTime();
            tc.release(st);
            if (Boolean.getBoolean("bench.parts"))
                System.err.printf("step %d: gradients %.0f ms, clip+AdamW %.0f ms; %s%n", s + 1, (a1 - a0) / 1e6, (a2 - a1) / 1e6,
                        headlens.model.ClosingMemoryMgr.stats());
            if (Boolean.getBoolean("bench.gc")) System.gc();
            double rss = MemoryBench.rssGb();
            peak = Math.max(peak, rss);
            if ((s + 1) % 5 == 0) System.err.printf("step %d loss %.4f rss %.2f GB javacpp %.2f GB%n", s + 1, st.loss(), rss, org.bytedeco.javacpp.Pointer.totalBytes() / 1e9);
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        System.out.printf("{\"impl\":\"headlens\",\"model\":\"%s\",\"batch\":%d,\"seq\":%d,\"steps\":%d,\"s_per_step\":%.4f,"
                        + "\"tokens_per_s\":%.1f,\"rss_after_warmup_gb\":%.3f,\"peak_rss_gb\":%.3f}%n",
                model, batch, seq, steps, secs / steps, (double) batch * seq * steps / secs, rssWarm, peak);
    }
}
