package headlens.sweep;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import headlens.core.HeadlensException;
import headlens.data.DataReaders;
import headlens.data.Sentence;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A pruning sweep ({@code configs/sweeps/NAME.yaml}); relative paths are resolved against the working directory.
 *
 * <pre>
 * name: ewt-pos-en
 * model: default                      # pretrained model directory, or "default" (the embedded all-MiniLM-L6-v2)
 * output: benchmarks/heads/ewt-pos-en # results: tables, plots, heads.json, one JSON per finished trial (resumable)
 * work: target/sweeps/ewt-pos-en      # large files: the unpruned tagger, trial checkpoints
 * train:                              # source language(s); several languages = the multi-lingual setting
 *   - {file: ../shared/data/pos/en/train.conllu, max_sentences: 2000}
 * source_dev:                         # heads are ranked, and k selected, on these
 *   - {file: ../shared/data/pos/en/dev.conllu, max_sentences: 500}
 * targets:                            # every language evaluated on dev and test (cross-lingual: other languages)
 *   en: {dev: ../shared/data/pos/en/dev.conllu, test: ../shared/data/pos/en/test.conllu, max_sentences: 500}
 * training: {lr: 5.0e-5, epochs: 1, batch_size: 16, max_length: 128, seed: 42}   # TrainConfig fields
 * k_max: 12                           # trials k = 1..k_max (k = 0 is the unpruned tagger)
 * controls: [highest, random]         # besides "lowest": prune the most important, or random heads
 * control_k: [2, 4, 6, 8, 10, 12]     # k values run for the controls (default: 1..k_max)
 * random_seed: 1
 * importance: {method: gradient, per_target: true}
 * mode: trials                        # trials | iterative | both
 * task: pos                           # pos | ner | slot: the result files' metrics (default: ner when labels carry B-/I-, else pos)
 * setting: cross                      # cross | multi (default: cross for one training language, multi for several)
 * masking: [train+eval, train-only]   # default [train+eval]; train-only = masked while fine-tuning, not when scoring
 * iterative: {fraction: 0.1, threshold: 0.9, max_rounds: 10}
 * cluster:                            # for --emit slurm|k8s (flags win); every key optional
 *   {cpus_per_task: 2, mem: 6G, time: "01:00:00", parallel: 8, partition: cpu, image: headlens:0.1.0, storage: 20Gi}
 * </pre>
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public record SweepConfig(
        @JsonProperty("name") String name,
        @JsonProperty("model") String model,
        @JsonProperty("output") String output,
        @JsonProperty("work") String work,
        @JsonProperty("train") List<DataFile> train,
        @JsonProperty("source_dev") List<DataFile> sourceDev,
        @JsonProperty("targets") Map<String, Target> targets,
        @JsonProperty("training") ObjectNode training,
        @JsonProperty("k_max") Integer kMax,
        @JsonProperty("controls") List<String> controls,
        @JsonProperty("control_k") List<Integer> controlK,
        @JsonProperty("random_seed") Long randomSeed,
        @JsonProperty("importance") Importance importance,
        @JsonProperty("mode") String mode,
        @JsonProperty("iterative") Iterative iterative,
        @JsonProperty("eval_batch_size") Integer evalBatchSize,
        @JsonProperty("cluster") Cluster cluster,
        @JsonProperty("task") String task,
        @JsonProperty("setting") String setting,
        @JsonProperty("masking") List<String> masking) {

    /**
     * Resources of one unit on a cluster: Slurm's {@code --cpus-per-task}, {@code --mem} (Slurm units, K/M/G/T),
     * {@code --time}; {@code parallel} = array throttle / Indexed Job parallelism; Kubernetes image and volume size.
     */
    @JsonIgnoreProperties(ignoreUnknown = false)
    public record Cluster(@JsonProperty("cpus_per_task") Integer cpusPerTask, @JsonProperty("mem") String mem,
                          @JsonProperty("time") String time, @JsonProperty("parallel") Integer parallel,
                          @JsonProperty("partition") String partition, @JsonProperty("image") String image,
                          @JsonProperty("storage") String storage, @JsonProperty("storage_class") String storageClass) {
        public static final Cluster NONE = new Cluster(null, null, null, null, null, null, null, null);
    }

    /**
     * Sentences of one file: the first {@code skip_sentences} passed over, the next {@code max_sentences} kept (0 or
     * absent = all), then, with {@code sample_sentences}, a random subset of that many (seeded by {@code sample_seed},
     * default 42; {@link DataReaders#sample}), for files whose order is not random (xSID's English training set is
     * sorted by intent). A bare path (as a target's {@code dev: FILE}) is the whole file.
     */
    @JsonIgnoreProperties(ignoreUnknown = false)
    public record DataFile(@JsonProperty("file") String file, @JsonProperty("max_sentences") Integer maxSentences,
                           @JsonProperty("skip_sentences") Integer skipSentences,
                           @JsonProperty("sample_sentences") Integer sampleSentences, @JsonProperty("sample_seed") Long sampleSeed) {
        @JsonCreator
        public DataFile {
            if (file == null) throw new HeadlensException("sweep config: a data entry has no 'file'");
            for (Integer n : new Integer[]{maxSentences, skipSentences, sampleSentences})
                if (n != null && n < 0) throw new HeadlensException("sweep config: " + file + ": sentence counts must be >= 0, got " + n);
            if (sampleSentences != null && sampleSentences < 1) throw new HeadlensException("sweep config: " + file + ": sample_sentences must be >= 1");
        }

        @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
        public static DataFile of(String file) { return new DataFile(file, null, null, null, null); }

        public int max() { return maxSentences == null ? 0 : maxSentences; }

        public int skip() { return skipSentences == null ? 0 : skipSentences; }

        /** This entry with {@code max} for an absent max_sentences (a target's own max_sentences applies to both splits). */
        public DataFile withDefaultMax(int max) {
            return maxSentences != null ? this : new DataFile(file, max, skipSentences, sampleSentences, sampleSeed);
        }

        /** The sentences this entry selects, in file order (a sample in its sampled order). */
        public List<Sentence> read() {
            int keep = max();
            List<Sentence> s = DataReaders.sentences(Path.of(file), keep == 0 ? 0 : skip() + keep);
            if (skip() > 0) {
                if (s.size() <= skip())
                    throw new HeadlensException(file + ": skip_sentences " + skip() + " leaves nothing (the file has " + s.size() + " sentences)");
                s = s.subList(skip(), s.size());
            }
            if (sampleSentences != null) s = DataReaders.sample(s, sampleSentences, sampleSeed == null ? 42L : sampleSeed);
            return List.copyOf(s);
        }
    }

    /** A target language: dev (the honest rule's selection split) and optionally test, each a path or a {@link DataFile}. */
    @JsonIgnoreProperties(ignoreUnknown = false)
    public record Target(@JsonProperty("dev") DataFile dev, @JsonProperty("test") DataFile test,
                         @JsonProperty("max_sentences") Integer maxSentences) {
        public int max() { return maxSentences == null ? 0 : maxSentences; }

        public DataFile devFile() { return dev.withDefaultMax(max()); }

        public DataFile testFile() { return test == null ? null : test.withDefaultMax(max()); }
    }

    @JsonIgnoreProperties(ignoreUnknown = false)
    public record Importance(@JsonProperty("method") String method, @JsonProperty("per_target") Boolean perTarget) {}

    @JsonIgnoreProperties(ignoreUnknown = false)
    public record Iterative(@JsonProperty("fraction") Double fraction, @JsonProperty("threshold") Double threshold,
                            @JsonProperty("max_rounds") Integer maxRounds) {}

    public SweepConfig {
        if (name == null || !name.matches("[A-Za-z0-9._-]+")) throw new HeadlensException("sweep config: 'name' missing or not [A-Za-z0-9._-]+");
        if (output == null) throw new HeadlensException("sweep config: 'output' is missing");
        if (train == null || train.isEmpty()) throw new HeadlensException("sweep config: 'train' lists no files");
        if (sourceDev == null || sourceDev.isEmpty()) throw new HeadlensException("sweep config: 'source_dev' lists no files");
        if (targets == null || targets.isEmpty()) throw new HeadlensException("sweep config: 'targets' is empty");
        model = model == null ? "default" : model;
        work = work == null ? "target/sweeps/" + name : work;
        kMax = kMax == null ? 12 : kMax;
        if (kMax < 0) throw new HeadlensException("sweep config: k_max must be >= 0");
        controls = controls == null ? List.of("highest", "random") : List.copyOf(controls);
        for (String c : controls)
            if (!c.equals("highest") && !c.equals("random")) throw new HeadlensException("sweep config: control '" + c + "' is not highest or random");
        randomSeed = randomSeed == null ? 1L : randomSeed;
        if (controlK != null)
            for (int k : controlK)
                if (k < 1 || k > kMax) throw new HeadlensException("sweep config: control_k value " + k + " is outside 1..k_max (" + kMax + ")");
        controlK = controlK == null ? null : List.copyOf(new java.util.TreeSet<>(controlK));
        importance = importance == null ? new Importance("gradient", true) : importance;
        mode = mode == null ? "trials" : mode;
        if (!List.of("trials", "iterative", "both").contains(mode)) throw new HeadlensException("sweep config: mode must be trials, iterative or both");
        iterative = iterative == null ? new Iterative(0.1, 0.9, 10) : iterative;
        evalBatchSize = evalBatchSize == null ? 32 : evalBatchSize;
        cluster = cluster == null ? Cluster.NONE : cluster;
        if (task != null && !List.of("pos", "ner", "slot").contains(task)) throw new HeadlensException("sweep config: task must be pos, ner or slot, not '" + task + "'");
        if (setting != null && !List.of("cross", "multi").contains(setting)) throw new HeadlensException("sweep config: setting must be cross or multi, not '" + setting + "'");
        masking = masking == null ? List.of(TRAIN_EVAL) : List.copyOf(new java.util.LinkedHashSet<>(masking));
        if (masking.isEmpty()) throw new HeadlensException("sweep config: masking lists no variant (train+eval, train-only)");
        for (String m : masking)
            if (!m.equals(TRAIN_EVAL) && !m.equals(TRAIN_ONLY)) throw new HeadlensException("sweep config: masking '" + m + "' is not train+eval or train-only");
        targets = new LinkedHashMap<>(targets);
        for (var e : targets.entrySet())
            if (e.getValue().dev() == null) throw new HeadlensException("sweep config: target '" + e.getKey() + "' has no dev file");
    }

    /** Masking variants: heads masked in fine-tuning and evaluation ("pruned"), or in fine-tuning only (the authors' released code). */
    public static final String TRAIN_EVAL = "train+eval", TRAIN_ONLY = "train-only";

    public String method() { return importance.method() == null ? "gradient" : importance.method(); }

    public boolean perTarget() { return importance.perTarget() == null || importance.perTarget(); }

    public double fraction() { return iterative.fraction() == null ? 0.1 : iterative.fraction(); }

    public double threshold() { return iterative.threshold() == null ? 0.9 : iterative.threshold(); }

    public int maxRounds() { return iterative.maxRounds() == null ? 10 : iterative.maxRounds(); }

    /** The k values of an order's trials. */
    public List<Integer> ks(String order) {
        if (!order.equals("lowest") && controlK != null) return controlK;
        List<Integer> r = new ArrayList<>();
        for (int k = 1; k <= kMax; k++) r.add(k);
        return r;
    }

    /** The orders run as trials: "lowest" (the paper's) then the controls. */
    public List<String> orders() {
        List<String> o = new ArrayList<>(List.of("lowest"));
        o.addAll(controls);
        return o;
    }

    /**
     * This sweep fine-tuned with another seed (classifier initialisation, batch order, dropout): a seed replicate,
     * named and stored apart as NAME-seedN, OUTPUT-seedN and WORK-seedN, everything else the same. {@link
     * Sweep#replicate} runs it with this grid's ranking, so the two seeds' trials mask the same heads.
     */
    public SweepConfig withSeed(long seed) {
        ObjectNode t = training == null ? new ObjectMapper().createObjectNode() : training.deepCopy();
        if (t.has("seed") && t.get("seed").asLong() == seed)
            throw new HeadlensException("sweep " + name + ": --seed " + seed + " is the config's own training.seed; a replicate needs another");
        if (!t.has("seed") && seed == headlens.train.TrainConfig.DEFAULTS.seed())
            throw new HeadlensException("sweep " + name + ": --seed " + seed + " is the default training seed the config already uses; a replicate needs another");
        t.put("seed", seed);
        String s = "-seed" + seed;
        return new SweepConfig(name + s, model, output.replaceAll("/+$", "") + s, work.replaceAll("/+$", "") + s, train, sourceDev,
                targets, t, kMax, controls, controlK, randomSeed, importance, mode, iterative, evalBatchSize, cluster, task, setting, masking);
    }

    public static SweepConfig read(Path file) {
        // its own mapper: YAML, and a null for a primitive field is an error rather than 0
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory()).enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
        try {
            if (!Files.isRegularFile(file)) throw new HeadlensException(file + ": no such file");
            if (Files.size(file) > 1 << 20) throw new HeadlensException(file + ": larger than 1 MiB");
            return yaml.readValue(file.toFile(), SweepConfig.class);
        } catch (HeadlensException e) {
            throw e;
        } catch (com.fasterxml.jackson.databind.JsonMappingException e) {
            if (e.getCause() instanceof HeadlensException he) throw new HeadlensException(file + ": " + he.getMessage(), he);
            throw new HeadlensException(file + ": " + e.getOriginalMessage() + " at " + e.getPathReference(), e);
        } catch (IOException e) {
            throw new HeadlensException(file + ": not readable YAML: " + e.getMessage(), e);
        }
    }
}
