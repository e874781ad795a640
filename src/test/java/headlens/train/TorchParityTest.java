package headlens.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import headlens.config.EncoderConfig;
import headlens.data.Batch;
import headlens.data.Example;
import headlens.data.FeatureBuilder;
import headlens.data.LabelMap;
import headlens.data.Sentence;
import headlens.model.Encoder;
import headlens.model.ModelSource;
import headlens.tokenize.Tokenizers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * headlens' fine-tuning loop ({@link Trainer#run}, unchanged) against the same loop written independently in libtorch
 * (DJL's PyTorch engine, ATen ops and autograd), as HuggingFace's {@code BertForTokenClassification} + {@code Trainer}
 * run it: the real all-MiniLM-L6-v2 and one classifier initialisation on both sides, the same 24 batches (the
 * trainer's own plan), dropout off; forward, backward, {@code clip_grad_norm_}, {@code AdamW} with decoupled decay and
 * HuggingFace's no-decay group (biases, LayerNorm weights), {@code get_linear_schedule_with_warmup}, cross-entropy
 * over the labelled positions (-100 ignored). The word-embedding table trains densely, with {@code padding_idx}.
 *
 * <p>Nothing on the torch side comes from headlens but the input ids, the labels and the initial weights.
 */
class TorchParityTest {
    static final int BATCH = 4, EPOCHS = 4, MAX_LENGTH = 32;
    static final double LR = 3e-4, WEIGHT_DECAY = 0.01, WARMUP_RATIO = 0.1;
    /** Gradient norms here run 1.3..2.7: about half of the steps are clipped. */
    static final double MAX_GRAD_NORM = 1.9;
    static final double BETA1 = 0.9, BETA2 = 0.999, ADAM_EPS = 1e-8;
    static final List<String> LABELS = List.of("O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC");

    /** Real English, each sentence within 32 tokens (asserted below). */
    static final String[] TEXT = {
        "The committee met in Geneva on Tuesday to discuss the new trade agreement .",
        "She bought three apples , two oranges and a loaf of bread at the market .",
        "Researchers at the university published their findings in a peer-reviewed journal last month .",
        "The river flooded the village after days of heavy rain .",
        "Our train was delayed by forty minutes because of a signal failure near Oxford .",
        "He plays the violin in a small orchestra that performs every Sunday evening .",
        "The museum's new exhibition features paintings by artists from Spain and Portugal .",
        "Please send the signed contract back to our office before Friday .",
        "A strong earthquake shook the northern coast early this morning .",
        "The company announced that its profits had doubled compared with the previous year .",
        "My grandmother grew tomatoes , beans and sunflowers in her garden .",
        "The ambassador thanked the volunteers for their extraordinary hospitality .",
        "Children gathered around the fire to listen to old stories about the mountains .",
        "The software update fixes several bugs and improves battery life .",
        "After the match , the players signed autographs for hundreds of fans .",
        "The bridge across the harbour will be closed for repairs until September .",
        "Doctors recommend drinking plenty of water during hot summer days .",
        "The novel tells the story of a lighthouse keeper and his daughter .",
        "Farmers in the valley harvested a record crop of wheat this year .",
        "The orchestra rehearsed Beethoven 's ninth symphony for the anniversary concert .",
        "Tourists crowded the narrow streets of the old town despite the cold weather .",
        "The minister resigned after the newspaper revealed details of the secret deal .",
        "Engineers tested the prototype engine in the desert for three weeks .",
        "We watched the sunset from the top of the hill and walked home in the dark .",
    };

    @TempDir
    Path tmp;

    @Test
    void fineTuningMatchesLibtorchStepForStep() throws Exception {
        ModelSource mini = ModelSource.defaultModel();
        assertEquals("gelu", mini.config().hiddenAct(), "the torch side uses F.gelu (exact erf form)");
        ObjectNode noDropout = mini.config().toJson().put("hidden_dropout_prob", 0.0).put("attention_probs_dropout_prob", 0.0);
        EncoderConfig cfg = EncoderConfig.fromJson(noDropout, "MiniLM without dropout");

        // --- data: real sentences, seeded random labels on first sub-tokens (FeatureBuilder: -100 elsewhere)
        Random r = new Random(7);
        List<Sentence> sentences = new ArrayList<>();
        for (int i = 0; i < TEXT.length; i++) {
            List<String> words = List.of(TEXT[i].split(" "));
            List<String> labels = words.stream().map(w -> LABELS.get(r.nextInt(LABELS.size()))).toList();
            sentences.add(new Sentence(words, labels, "en", "TEXT:" + i));
        }
        FeatureBuilder features = new FeatureBuilder(Tokenizers.load(mini.dir()), new LabelMap(LABELS), MAX_LENGTH, 0);
        List<Example> train = features.build(sentences);
        assertEquals(TEXT.length, train.size(), "every sentence fits one window");

        ObjectNode o = new ObjectMapper().createObjectNode().put("lr", LR).put("epochs", EPOCHS).put("batch_size", BATCH)
                .put("max_length", MAX_LENGTH).put("warmup_ratio", WARMUP_RATIO).put("weight_decay", WEIGHT_DECAY)
                .put("max_grad_norm", MAX_GRAD_NORM).put("eval_every", 1000).put("checkpoint_every", 0).put("log_every", 1);
        TrainConfig tc = TrainConfig.DEFAULTS.with(o);
        TokenClassifier model = TokenClassifier.create(cfg, mini.weights(), LABELS.size(), Encoder.Options.TRAINING, 42);
        Trainer trainer = new Trainer(model, train, m -> new Trainer.Evaluation(0, Map.of()), tc, tmp.resolve("run"), LABELS)
                .progress(false);

        // the same starting point and batches for libtorch: the trainer's initial weights and its batch plan
        Map<String, float[]> initial = new LinkedHashMap<>();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        model.encoder().weights().forEach((n, a) -> { initial.put(n, a.dup('c').data().asFloat()); shapes.put(n, a.shape()); });
        List<Batch> plan = new ArrayList<>();
        for (int e = 0; e < EPOCHS; e++) plan.addAll(trainer.plan(e));
        int total = plan.size();
        long warmup = torchWarmupSteps(total);
        // 24 · 0.1 = 2.4: HuggingFace warms up for 3 updates (rounding would give 2)
        assertTrue(total >= 20 && warmup == 3 && Math.round(total * WARMUP_RATIO) != warmup, total + " steps, " + warmup + " warm-up");
        assertTrue(plan.stream().anyMatch(b -> Arrays.stream(b.attentionMask()).anyMatch(m -> m[m.length - 1] == 0)), "some padding");
        int continuations = 0;   // ignored (-100) word pieces inside sentences, besides [CLS], [SEP] and padding
        for (Example e : train)
            for (int j = 1; j < e.length() - 1; j++) if (e.labelIds()[j] == FeatureBuilder.IGNORE) continuations++;
        assertTrue(continuations >= 5, continuations + " sub-word continuations");

        long t0 = System.nanoTime();
        Trainer.Result res = trainer.run(false);
        double ourSecs = (System.nanoTime() - t0) / 1e9;
        assertEquals(total, res.steps());
        List<JsonNode> log = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        for (String line : Files.readAllLines(tmp.resolve("run/logs/train.jsonl")))
            if (json.readTree(line).path("event").asText().equals("step")) log.add(json.readTree(line));
        assertEquals(total, log.size());

        t0 = System.nanoTime();
        TorchRun torch = torchRun(cfg, initial, shapes, plan, warmup);
        double torchSecs = (System.nanoTime() - t0) / 1e9;

        // --- step for step: loss, gradient norm before clipping, learning rate
        double worstLoss = 0, worstNorm = 0;
        int clipped = 0;
        StringBuilder table = new StringBuilder();
        for (int s = 0; s < total; s++) {
            JsonNode l = log.get(s);
            assertEquals(s + 1, l.get("step").asLong());
            double ours = l.get("loss").asDouble(), ref = torch.loss[s];
            worstLoss = Math.max(worstLoss, Math.abs(ours - ref) / Math.abs(ref));
            worstNorm = Math.max(worstNorm, Math.abs(l.get("grad_norm").asDouble() - torch.norm[s]) / torch.norm[s]);
            assertEquals(torch.lr[s], l.get("lr").asDouble(), 1e-12 * LR, "lr of step " + s);
            if (torch.norm[s] > MAX_GRAD_NORM) clipped++;
            table.append(String.format("  step %2d  lr %.3e  loss %.6f / %.6f  grad norm %.5f / %.5f%n",
                    s, torch.lr[s], ours, ref, l.get("grad_norm").asDouble(), torch.norm[s]));
        }
        System.out.print("headlens / libtorch per step:\n" + table);

        // --- weights after the last step
        Map<String, INDArray> after = model.encoder().weights();
        assertEquals(torch.weights.keySet(), after.keySet());
        double worstAbs = 0, worstRelL2 = 0;
        String worstAbsName = "", worstRelName = "";
        List<Object[]> perTensor = new ArrayList<>();
        for (var e : torch.weights.entrySet()) {
            String n = e.getKey();
            float[] ours = after.get(n).dup('c').data().asFloat(), ref = e.getValue(), init = initial.get(n);
            double maxDiff = 0, diff2 = 0, moved2 = 0;
            for (int i = 0; i < ref.length; i++) {
                double d = ours[i] - ref[i], mv = ref[i] - init[i];
                maxDiff = Math.max(maxDiff, Math.abs(d));
                diff2 += d * d;
                moved2 += mv * mv;
            }
            double relL2 = Math.sqrt(diff2 / moved2);   // ‖headlens − libtorch‖ / ‖libtorch's update‖
            perTensor.add(new Object[]{maxDiff, relL2, n});
            if (maxDiff > worstAbs) { worstAbs = maxDiff; worstAbsName = n; }
            if (!isKeyBias(n) && relL2 > worstRelL2) { worstRelL2 = relL2; worstRelName = n; }
        }
        perTensor.sort((a, b) -> Double.compare((double) b[0], (double) a[0]));
        System.out.printf("largest weight difference after %d steps: %.3e (%s)%n", total, worstAbs, worstAbsName);
        for (Object[] t : perTensor.subList(0, 10))
            System.out.printf("  max |Δ| %.3e  ‖Δ‖/‖update‖ %.3e  %s%n", t[0], t[1], t[2]);
        System.out.printf("largest ‖Δ‖/‖update‖ apart from the key biases: %.3e (%s)%n", worstRelL2, worstRelName);
        System.out.printf("losses: max relative difference %.3e; gradient norms %.3e; %d of %d steps clipped; %.1f s headlens, %.1f s libtorch%n",
                worstLoss, worstNorm, clipped, total, ourSecs, torchSecs);

        assertTrue(clipped > 0 && clipped < total, "clipping must trigger on some steps, not all: " + clipped + " of " + total);
        assertTrue(worstLoss <= 1e-4, "loss differs by " + worstLoss + " (relative)\n" + table);
        assertTrue(worstNorm <= 1e-4, "gradient norm differs by " + worstNorm + " (relative)\n" + table);
        // Float noise (~1e-6 of a gradient) moves a weight by ~1e-6 of its update, except where Adam normalises the
        // noise itself. The attention key biases: their exact gradient is 0 (softmax ignores a shift shared by all keys),
        // backprop returns ~1e-10 of rounding, and with |g| << ε each update is ≈ lr·g/ε, so they drift by
        // ~Σlr · 1e-10/1e-8 ≈ 4e-5 on either side, differently. Likewise a word-table entry whose gradient is ~1e-7
        // in some step (rounding ~1e-8): there √v̂ ~ ε and the update depends on the noise. Bounds: a key bias within
        // one peak step (3e-4; Σlr ≈ 3.6e-3 is the most any weight can move), every other weight within 1e-4.
        double worstKeyBias = 0, worstOther = 0;
        for (Object[] t : perTensor)
            if (isKeyBias((String) t[2])) worstKeyBias = Math.max(worstKeyBias, (double) t[0]);
            else worstOther = Math.max(worstOther, (double) t[0]);
        assertTrue(worstKeyBias <= LR, "key biases differ by up to " + worstKeyBias);
        assertTrue(worstOther <= 1e-4, "weights differ by up to " + worstOther);
        // Apart from the key biases the update vectors agree to ~4e-5 of their length (5e-4 allowed). A slip in the
        // no-decay group would show far above that: decaying a LayerNorm weight (|w| ~ 1) moves it by Σlr·wd ≈ 3.6e-5,
        // a few percent of its update.
        assertTrue(worstRelL2 <= 5e-4, "‖Δ‖/‖update‖ = " + worstRelL2 + " for " + worstRelName);
    }

    // ------------------------------------------------------------------------------------------------ libtorch side

    record TorchRun(double[] loss, double[] norm, double[] lr, Map<String, float[]> weights) {}

    static boolean isKeyBias(String name) {
        return name.endsWith("attention.self.key.bias");
    }

    /** TrainingArguments.get_warmup_steps: {@code math.ceil(num_training_steps * warmup_ratio)}. */
    static long torchWarmupSteps(int total) {
        return (long) Math.ceil(total * WARMUP_RATIO);
    }

    /** HuggingFace's optimizer grouping: no weight decay for biases and LayerNorm parameters. */
    static boolean torchDecays(String name) {
        return !(name.endsWith("bias") || name.contains("LayerNorm"));
    }

    /** transformers.get_linear_schedule_with_warmup, as LambdaLR applies it to update number {@code step} (0-based). */
    static double torchLr(long step, long warmup, long total) {
        double f = step < warmup ? (double) step / Math.max(1, warmup) : Math.max(0.0, (double) (total - step) / Math.max(1, total - warmup));
        return LR * f;
    }

    static TorchRun torchRun(EncoderConfig cfg, Map<String, float[]> init, Map<String, long[]> shapes, List<Batch> plan, long warmup) {
        int total = plan.size();
        double[] losses = new double[total], norms = new double[total], lrs = new double[total];
        try (NDManager base = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            Map<String, NDArray> p = new LinkedHashMap<>(), m = new LinkedHashMap<>(), v = new LinkedHashMap<>();
            init.forEach((n, a) -> {
                NDArray x = base.create(a, new Shape(shapes.get(n)));
                x.setRequiresGradient(true);
                p.put(n, x);
                m.put(n, base.zeros(x.getShape()));
                v.put(n, base.zeros(x.getShape()));
            });
            for (int s = 0; s < total; s++) {
                Batch batch = plan.get(s);
                try (NDManager sub = base.newSubManager()) {
                    for (String n : p.keySet()) sub.tempAttachAll(p.get(n), m.get(n), v.get(n));
                    NDArray loss;
                    try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                        loss = forwardLoss(sub, cfg, p, batch);
                        gc.backward(loss);
                    }
                    losses[s] = loss.getFloat();
                    Map<String, NDArray> g = new LinkedHashMap<>();
                    for (var e : p.entrySet()) g.put(e.getKey(), e.getValue().getGradient());
                    // nn.Embedding(padding_idx = pad_token_id): the pad row never receives gradient
                    g.get(Encoder.WORD_EMBEDDINGS).set(new NDIndex(cfg.padTokenId()), 0f);

                    // clip_grad_norm_: total = ‖(‖g₁‖, ‖g₂‖, …)‖, every gradient times min(1, max/(total + 1e-6))
                    NDArray perTensor = sub.create(g.values().stream().mapToDouble(a -> a.norm().getFloat()).toArray()).toType(DataType.FLOAT32, false);
                    float totalNorm = perTensor.norm().getFloat();
                    norms[s] = totalNorm;
                    float coef = (float) Math.min(1.0, MAX_GRAD_NORM / (totalNorm + 1e-6));
                    for (NDArray a : g.values()) a.muli(coef);

                    // torch.optim.AdamW (single-tensor, float32)
                    double lr = torchLr(s, warmup, total);
                    lrs[s] = lr;
                    int t = s + 1;
                    double bc1 = 1 - Math.pow(BETA1, t), bc2Sqrt = Math.sqrt(1 - Math.pow(BETA2, t));
                    for (var e : p.entrySet()) {
                        String n = e.getKey();
                        NDArray w = e.getValue(), gr = g.get(n), mm = m.get(n), vv = v.get(n);
                        if (torchDecays(n)) w.muli(1 - lr * WEIGHT_DECAY);                      // p ← p(1 − lr·wd)
                        mm.muli(BETA1).addi(gr.mul(1 - BETA1));                                  // m ← β₁m + (1−β₁)g
                        vv.muli(BETA2).addi(gr.mul(gr).muli(1 - BETA2));                         // v ← β₂v + (1−β₂)g²
                        NDArray denom = vv.sqrt().divi(bc2Sqrt).addi(ADAM_EPS);                  // √v / √(1−β₂ᵗ) + ε
                        w.subi(mm.div(denom).muli(lr / bc1));                                    // p ← p − lr/(1−β₁ᵗ) · m/denom
                        gr.subi(gr);                                                             // zero_grad
                    }
                }
            }
            Map<String, float[]> out = new LinkedHashMap<>();
            p.forEach((n, a) -> out.put(n, a.toFloatArray()));
            return new TorchRun(losses, norms, lrs, out);
        }
    }

    /** BertModel (HuggingFace modeling_bert, eager attention) + token-classification head + CrossEntropyLoss. */
    static NDArray forwardLoss(NDManager mgr, EncoderConfig cfg, Map<String, NDArray> p, Batch batch) {
        int b = batch.rows(), t = batch.length(), hidden = cfg.hiddenSize(), heads = cfg.numAttentionHeads(), d = hidden / heads;
        long[] ids = new long[b * t], labels = new long[b * t];
        float[] mask = new float[b * t], counted = new float[b * t];
        for (int i = 0; i < b; i++)
            for (int j = 0; j < t; j++) {
                int k = i * t + j, y = batch.labelIds()[i][j];
                ids[k] = batch.inputIds()[i][j];
                mask[k] = batch.attentionMask()[i][j];
                labels[k] = y == FeatureBuilder.IGNORE ? 0 : y;
                counted[k] = y == FeatureBuilder.IGNORE ? 0 : 1;
            }
        NDArray inputIds = mgr.create(ids, new Shape(b, t));
        NDArray positionIds = mgr.arange(0, t, 1, DataType.INT64).reshape(1, t);
        NDArray typeIds = mgr.zeros(new Shape(b, t), DataType.INT64);
        NDArray x = embed(inputIds, p.get("embeddings.word_embeddings.weight"))
                .add(embed(positionIds, p.get("embeddings.position_embeddings.weight")))
                .add(embed(typeIds, p.get("embeddings.token_type_embeddings.weight")));                    // [B, T, H]
        x = layerNorm(x, p, "embeddings.LayerNorm", cfg.layerNormEps());
        // extended attention mask: (1 − mask) · finfo(float32).min, [B, 1, 1, T]
        NDArray bias = mgr.ones(new Shape(b, t)).sub(mgr.create(mask, new Shape(b, t))).mul(-Float.MAX_VALUE).reshape(b, 1, 1, t);
        for (int l = 0; l < cfg.numHiddenLayers(); l++) {
            String n = "encoder.layer." + l + ".";
            NDArray q = heads(linear(x, p, n + "attention.self.query"), b, t, heads, d);               // [B, h, T, d]
            NDArray k = heads(linear(x, p, n + "attention.self.key"), b, t, heads, d);
            NDArray v = heads(linear(x, p, n + "attention.self.value"), b, t, heads, d);
            NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)).div(Math.sqrt(d)).add(bias);            // [B, h, T, T]
            NDArray ctx = scores.softmax(-1).matMul(v).transpose(0, 2, 1, 3).reshape(b, t, hidden);     // [B, T, H]
            x = layerNorm(linear(ctx, p, n + "attention.output.dense").add(x), p, n + "attention.output.LayerNorm", cfg.layerNormEps());
            NDArray inter = JniUtils.gelu((PtNDArray) linear(x, p, n + "intermediate.dense"));                              // F.gelu: erf form
            x = layerNorm(linear(inter, p, n + "output.dense").add(x), p, n + "output.LayerNorm", cfg.layerNormEps());
        }
        NDArray logits = linear(x, p, "classifier").reshape((long) b * t, -1);                           // [N, C]
        // F.cross_entropy(ignore_index=-100, reduction='mean') = Σ −log p[i, yᵢ] over counted i / #counted
        NDArray nll = logits.logSoftmax(-1).gather(mgr.create(labels, new Shape((long) b * t, 1)), 1).reshape(-1).neg();
        NDArray w = mgr.create(counted);
        return nll.mul(w).sum().div(w.sum());
    }

    static NDArray embed(NDArray ids, NDArray table) {
        return JniUtils.embedding((PtNDArray) ids, (PtNDArray) table, false);
    }

    static NDArray linear(NDArray x, Map<String, NDArray> p, String name) {
        return JniUtils.linear((PtNDArray) x, (PtNDArray) p.get(name + ".weight"), (PtNDArray) p.get(name + ".bias"));
    }

    static NDArray layerNorm(NDArray x, Map<String, NDArray> p, String name, double eps) {
        return JniUtils.layerNorm((PtNDArray) x, new Shape(x.getShape().get(x.getShape().dimension() - 1)),
                (PtNDArray) p.get(name + ".weight"), (PtNDArray) p.get(name + ".bias"), eps);
    }

    /** [B, T, h·d] → [B, h, T, d] */
    static NDArray heads(NDArray x, int b, int t, int h, int d) {
        return x.reshape(b, t, h, d).transpose(0, 2, 1, 3);
    }
}
