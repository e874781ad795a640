package headlens.bench;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.transformer.BertBlock;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.SoftmaxCrossEntropyLoss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;

import java.util.Random;

/**
 * The peer of {@link TrainStepBench}: the same fine-tuning step in PyTorch (libtorch CPU through DJL's PyTorch engine):
 * BERT encoder (DJL's BertBlock: same layer count, hidden, heads, FFN, vocabulary) + linear tagger, softmax
 * cross-entropy, backward, global-norm clipping to 1.0, AdamW (lr 5e-5, wd 0.01). Dropout on. One JSON line.
 * Logits and labels are flattened to [B·T, C] / [B·T] (DJL's sparse cross-entropy picks along the last axis of a 2-D
 * prediction; with [B, T, C] it failed with "shape '[16, 16, 1]' is invalid").
 */
public final class TorchTrainStep {
    public static void main(String[] args) throws Exception {
        String model = EncodeBench.arg(args, "--model", "minilm");
        int batch = EncodeBench.intArg(args, "--batch", 16), seq = EncodeBench.intArg(args, "--seq", 128);
        int steps = EncodeBench.intArg(args, "--steps", 30), warmup = EncodeBench.intArg(args, "--warmup", 5);
        boolean minilm = model.equals("minilm");
        int labels = 9;
        BertBlock bert = BertBlock.builder().setTokenDictionarySize(model.equals("mbert") ? 119547 : 30522).optTypeDictionarySize(2)
                .optEmbeddingSize(minilm ? 384 : 768).optTransformerBlockCount(minilm ? 6 : 12).optAttentionHeadCount(12)
                .optHiddenSize(minilm ? 1536 : 3072).optHiddenDropoutProbability(0.1f).optMaxSequenceLength(seq).build();
        SequentialBlock net = new SequentialBlock().add(bert).add(new LambdaBlock(l -> new NDList(l.get(0))))
                .add(Linear.builder().setUnits(labels).build());
        try (Model m = Model.newInstance("tagger", "PyTorch")) {
            m.setBlock(net);
            SoftmaxCrossEntropyLoss loss = new SoftmaxCrossEntropyLoss("ce", 1f, -1, true, true);
            Optimizer adamw = Optimizer.adamW().optLearningRateTracker(Tracker.fixed(5e-5f)).optWeightDecays(0.01f).build();
            try (Trainer tr = m.newTrainer(new DefaultTrainingConfig(loss).optOptimizer(adamw))) {
                tr.initialize(new Shape(batch, seq), new Shape(batch, seq), new Shape(batch, seq));
                Random r = new Random(1);
                int[] ids = new int[batch * seq], y = new int[batch * seq];
                for (int i = 0; i < ids.length; i++) { ids[i] = 1000 + r.nextInt(20000); y[i] = r.nextInt(labels); }
                double peak = 0, rssWarm = 0;
                long t0 = 0;
                for (int s = 0; s < warmup + steps; s++) {
                    if (s == warmup) { t0 = System.nanoTime(); rssWarm = MemoryBench.rssGb(); }
                    try (NDManager sub = tr.getManager().newSubManager()) {
                        NDArray tok = sub.create(ids, new Shape(batch, seq));
                        NDArray types = sub.zeros(new Shape(batch, seq), DataType.INT32);
                        NDArray mask = sub.ones(new Shape(batch, seq), DataType.FLOAT32);
                        NDArray gold = sub.create(y, new Shape((long) batch * seq));
                        try (GradientCollector gc = tr.newGradientCollector()) {
                            NDList out = tr.forward(new NDList(tok, types, mask));
                            // DJL's sparse softmax cross-entropy picks along the class axis of a [N, C] prediction
                            NDArray logits = out.head().reshape((long) batch * seq, labels);
                            NDArray l = loss.evaluate(new NDList(gold), new NDList(logits));
                            gc.backward(l);
                        }
                        clipGlobalNorm(net, 1.0);
                        tr.step();
                    }
                    peak = Math.max(peak, MemoryBench.rssGb());
                }
                double secs = (System.nanoTime() - t0) / 1e9;
                System.out.printf("{\"impl\":\"pytorch\",\"model\":\"%s\",\"batch\":%d,\"seq\":%d,\"steps\":%d,\"s_per_step\":%.4f,"
                                + "\"tokens_per_s\":%.1f,\"rss_after_warmup_gb\":%.3f,\"peak_rss_gb\":%.3f}%n",
                        model, batch, seq, steps, secs / steps, (double) batch * seq * steps / secs, rssWarm, peak);
            }
        }
    }

    /** torch.nn.utils.clip_grad_norm_(max_norm): scale all gradients by max/(norm + 1e-6) when the norm exceeds max. */
    static void clipGlobalNorm(SequentialBlock net, double max) {
        double sq = 0;
        java.util.List<NDArray> grads = new java.util.ArrayList<>();
        for (Pair<String, Parameter> p : net.getParameters()) {
            NDArray a = p.getValue().getArray();
            if (!a.hasGradient()) continue;                 // the pooler: its output is not used by the tagger
            NDArray g = a.getGradient();
            grads.add(g);
            sq += g.square().sum().getFloat();
        }
        double coef = max / (Math.sqrt(sq) + 1e-6);
        if (coef < 1) for (NDArray g : grads) g.muli((float) coef);
    }
}
