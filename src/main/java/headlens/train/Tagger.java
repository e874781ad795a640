package headlens.train;

import headlens.data.Alignment;
import headlens.data.Batch;
import headlens.data.Batches;
import headlens.data.Example;
import headlens.data.FeatureBuilder;
import headlens.data.LabelMap;
import headlens.data.Sentence;
import headlens.eval.Report;
import headlens.model.ClosingMemoryMgr;
import headlens.model.Encoder;
import headlens.tokenize.Tokenizer;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * Word-level predictions of a {@link TokenClassifier}: sentences are cut into windows by {@link FeatureBuilder}, run
 * without dropout in length-sorted batches, and mapped back to one label per word (the first sub-token's prediction,
 * from the window that owns the word).
 */
public final class Tagger {
    private final TokenClassifier model;
    private final Tokenizer tokenizer;
    private final LabelMap labels;
    private final int maxLength, stride, batchSize;

    public Tagger(TokenClassifier model, Tokenizer tokenizer, LabelMap labels, int maxLength, int stride, int batchSize) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.labels = labels;
        this.maxLength = maxLength;
        this.stride = fitStride(stride, maxLength);
        this.batchSize = batchSize;
    }

    /** The context stride, reduced for short windows (a window must own more tokens than it borrows). */
    public static int fitStride(int stride, int maxLength) {
        return Math.max(0, Math.min(stride, (maxLength - 4) / 2 - 1));
    }

    /** Batches of sentences a streamed prediction holds at a time (sorted by length within them). */
    public static final int POOL_BATCHES = 32;

    /** One predicted label per word, per sentence (all sentences' windows sorted by length together). */
    public List<List<String>> predict(List<Sentence> sentences) {
        List<Example> ex = new FeatureBuilder(tokenizer, null, maxLength, stride).build(sentences);
        return predict(sentences, ex);
    }

    List<List<String>> predict(List<Sentence> sentences, List<Example> ex) {
        List<Example> order = new ArrayList<>();
        List<int[]> tokenPreds = new ArrayList<>();
        ClosingMemoryMgr.LengthSorted lengths = new ClosingMemoryMgr.LengthSorted();
        for (Batch b : Batches.sorted(ex, batchSize, tokenizer.padId())) {
            lengths.before(b.length());
            int[][] p = model.predict(new Encoder.Batch(b.inputIds(), b.attentionMask()));
            for (int r = 0; r < b.rows(); r++) { order.add(b.examples().get(r)); tokenPreds.add(p[r]); }
        }
        List<int[]> words = Alignment.wordPredictions(Alignment.sizes(sentences), order, tokenPreds);
        List<List<String>> out = new ArrayList<>(words.size());
        for (int[] w : words) out.add(labels.toLabels(w));
        return out;
    }

    /**
     * Streams predictions: {@code items} are taken {@code poolBatches × batchSize} at a time, each pool predicted as
     * {@link #predict(List)} does, and {@code sink} gets every item with one label per word of its sentence, in input
     * order, as soon as its pool is done. Memory holds one pool's windows and labels, whatever the input's length.
     */
    public <T> void predict(Iterator<T> items, Function<T, Sentence> sentence, BiConsumer<T, List<String>> sink, int poolBatches) {
        if (poolBatches < 1) throw new IllegalArgumentException("pool must hold at least one batch, got " + poolBatches);
        long poolSize = (long) poolBatches * batchSize;
        List<T> pool = new ArrayList<>();
        List<Sentence> sentences = new ArrayList<>();
        while (items.hasNext()) {
            T item = items.next();
            pool.add(item);
            sentences.add(sentence.apply(item));
            if (pool.size() >= poolSize || !items.hasNext()) {
                List<List<String>> labels = predict(sentences);
                for (int i = 0; i < pool.size(); i++) sink.accept(pool.get(i), labels.get(i));
                pool.clear();
                sentences.clear();
                ClosingMemoryMgr.trim();    // memory back to where it was before this pool
            }
        }
    }

    /** Scores predictions of gold sentences: accuracy for POS, entity F1 (conlleval mode) for NER and slots. */
    public Report evaluate(String task, List<Sentence> gold) {
        return evaluate(task, gold.iterator(), POOL_BATCHES);
    }

    /** As {@link #evaluate(String, List)}, streamed: predictions are scored a pool at a time and not kept. */
    public Report evaluate(String task, Iterator<Sentence> gold, int poolBatches) {
        Report.Scorer scorer = new Report.Scorer(task, kind(task), null);
        predict(gold, s -> s, scorer::add, poolBatches);
        return scorer.report();
    }

    public static Report.Kind kind(String task) {
        return task.equals("pos") ? Report.Kind.TOKEN_ACCURACY : Report.Kind.ENTITY_F1;
    }

    /** The headline number of a report: accuracy or micro F1. */
    public static double score(Report r) {
        return r.kind() == Report.Kind.TOKEN_ACCURACY ? r.overall().tokens().accuracy() : r.overall().entities().micro().f1();
    }

    /** A dev evaluator for the trainer: the same gold sentences every time, windows built once. */
    public Trainer.Evaluator devEvaluator(String task, List<Sentence> dev) {
        List<Example> ex = new FeatureBuilder(tokenizer, null, maxLength, stride).build(dev);
        return m -> {
            Report r = Report.evaluate(task, kind(task), null, dev, predict(dev, ex));
            return new Trainer.Evaluation(score(r), Map.of(r.kind() == Report.Kind.TOKEN_ACCURACY ? "accuracy" : "f1", score(r),
                    "sentences", dev.size()));
        };
    }
}
