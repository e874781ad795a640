package headlens.train;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.node.ObjectNode;
import headlens.core.Json;

/**
 * Hyper-parameters of a fine-tuning run. Defaults follow the reproduced paper (lr 5e-5, 3 epochs, max length 256,
 * batch 16, seed 42) and HuggingFace's Trainer for the rest (AdamW β 0.9/0.999, ε 1e-8, clip 1.0).
 *
 * @param warmupRatio     fraction of all updates spent warming the learning rate up linearly from 0: the first
 *                        {@code ceil(total · ratio)} updates, as HuggingFace counts them
 * @param evalEvery       evaluate on dev every that many updates; 0 = at the end of every epoch
 * @param patience        stop after that many evaluations without a better dev score; 0 = never stop early
 * @param checkpointEvery write a resumable checkpoint every that many updates (and after every evaluation)
 * @param freezeLayers    keep the first that many encoder layers fixed
 * @param gcEvery         run a garbage collection every that many updates (0 = never, the default): no longer needed
 *                        since step arrays are recycled explicitly ({@link headlens.model.ClosingMemoryMgr}); kept for
 *                        code that leaves native arrays to the collector
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public record TrainConfig(
        @JsonProperty("lr") double lr,
        @JsonProperty("epochs") int epochs,
        @JsonProperty("batch_size") int batchSize,
        @JsonProperty("max_length") int maxLength,
        @JsonProperty("seed") long seed,
        @JsonProperty("warmup_ratio") double warmupRatio,
        @JsonProperty("weight_decay") double weightDecay,
        @JsonProperty("max_grad_norm") double maxGradNorm,
        @JsonProperty("eval_every") int evalEvery,
        @JsonProperty("patience") int patience,
        @JsonProperty("checkpoint_every") int checkpointEvery,
        @JsonProperty("freeze_embeddings") boolean freezeEmbeddings,
        @JsonProperty("freeze_layers") int freezeLayers,
        @JsonProperty("max_sentences") int maxSentences,
        @JsonProperty("log_every") int logEvery,
        @JsonProperty("gc_every") int gcEvery) {

    public static final TrainConfig DEFAULTS = new TrainConfig(5e-5, 3, 16, 256, 42, 0.1, 0.01, 1.0,
            0, 0, 500, false, 0, 0, 10, 0);

    public TrainConfig {
        if (!(lr > 0)) throw new IllegalArgumentException("lr must be > 0, got " + lr);
        if (epochs <= 0) throw new IllegalArgumentException("epochs must be > 0, got " + epochs);
        if (batchSize <= 0) throw new IllegalArgumentException("batch_size must be > 0, got " + batchSize);
        if (maxLength < 3) throw new IllegalArgumentException("max_length must be >= 3, got " + maxLength);
        if (warmupRatio < 0 || warmupRatio > 1) throw new IllegalArgumentException("warmup_ratio must be in [0, 1], got " + warmupRatio);
        if (weightDecay < 0) throw new IllegalArgumentException("weight_decay must be >= 0, got " + weightDecay);
        if (evalEvery < 0 || patience < 0 || checkpointEvery < 0 || freezeLayers < 0 || maxSentences < 0 || logEvery < 0 || gcEvery < 0)
            throw new IllegalArgumentException("eval_every, patience, checkpoint_every, freeze_layers, max_sentences, log_every must be >= 0");
    }

    public ObjectNode toJson() { return Json.MAPPER.valueToTree(this); }

    /** These settings with the fields of {@code overrides} (same JSON names) replaced. */
    public TrainConfig with(ObjectNode overrides) {
        ObjectNode n = toJson();
        n.setAll(overrides);
        try {
            return Json.MAPPER.treeToValue(n, TrainConfig.class);
        } catch (Exception e) {
            Throwable c = e.getCause() != null && e instanceof com.fasterxml.jackson.databind.JsonMappingException ? e : e;
            throw new IllegalArgumentException(c.getMessage().lines().findFirst().orElse(c.toString()), e);
        }
    }

    public TrainConfig withEpochs(int n) { return with(Json.MAPPER.createObjectNode().put("epochs", n)); }

    /**
     * These settings with the ones that only say how often to write (checkpoint_every, log_every) or collect (gc_every)
     * set to the defaults: what a resumed run must match, since those never change a weight.
     */
    public TrainConfig withoutBookkeeping() {
        return new TrainConfig(lr, epochs, batchSize, maxLength, seed, warmupRatio, weightDecay, maxGradNorm, evalEvery, patience,
                DEFAULTS.checkpointEvery, freezeEmbeddings, freezeLayers, maxSentences, DEFAULTS.logEvery, DEFAULTS.gcEvery);
    }
}
