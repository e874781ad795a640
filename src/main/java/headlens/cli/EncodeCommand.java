package headlens.cli;

import headlens.core.HeadlensException;
import headlens.io.Npz;
import headlens.model.ClosingMemoryMgr;
import headlens.model.Encoder;
import headlens.model.ModelSource;
import headlens.tokenize.Tokenizer;
import headlens.tokenize.Tokenizers;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code headlens encode}: hidden states (and attention probabilities) of every input line, as .npz. Streams: lines are
 * read and encoded a pool at a time (a few batches, sorted by length within the pool so padding stays small) and each
 * line's arrays become .npz entries, in input order, as soon as its pool is done; memory holds one pool, whatever the
 * input's length.
 */
@Command(name = "encode", mixinStandardHelpOptions = true,
        description = "Encode one sentence per line; write input_ids_i, hidden_i [T, hidden] (and attn_i_L [heads, T, T]) to an .npz file.")
public final class EncodeCommand implements Callable<Integer> {
    /** A pool also ends once its outputs reach this size (long lines, attentions). */
    static final long POOL_BYTES = 64L << 20;

    @Option(names = "--model", description = "Model directory (default: the embedded all-MiniLM-L6-v2).")
    Path model;
    @Option(names = "--input", required = true, description = "UTF-8 text, one sentence per line.")
    Path input;
    @Option(names = "--output", required = true, description = "Output .npz file.")
    Path output;
    @Option(names = "--attentions", description = "Also write every layer's attention probabilities.")
    boolean attentions;
    @Option(names = "--batch-size", defaultValue = "16", description = "Sentences per batch (default: ${DEFAULT-VALUE}).")
    int batchSize;
    @Option(names = "--pool-batches", defaultValue = "32", description = "Batches read and sorted by length together "
            + "(default: ${DEFAULT-VALUE}; a pool also ends at 64 MiB of outputs). Memory holds one pool.")
    int poolBatches;

    private int hiddenSize;
    private long[] heads = new long[0];   // heads of each layer's attention output

    /** One input line of the current pool: its token ids, then its outputs ([T, H] and per layer [heads, T, T], C order). */
    private static final class Line {
        final int index;
        final int[] ids;
        float[] hidden;
        float[][] attn;

        Line(int index, int[] ids) { this.index = index; this.ids = ids; }
    }

    @Override
    public Integer call() throws IOException {
        if (batchSize < 1) throw new HeadlensException("--batch-size must be at least 1");
        if (poolBatches < 1) throw new HeadlensException("--pool-batches must be at least 1");
        try (InputLines in = InputLines.open(input)) {
            if (!in.hasNext()) throw new HeadlensException(input + ": no input lines");
            Path dir = model != null ? ModelSource.resolve(model) : ModelSource.ensureDefaultModel();
            ModelSource src = ModelSource.load(dir);
            Tokenizer tok = Tokenizers.load(dir);
            Encoder enc = Encoder.create(src.config(), src.weights(),
                    attentions ? Encoder.Options.WITH_ATTENTIONS : Encoder.Options.INFERENCE);
            headlens.model.HeadMask.read(dir, src.config()).apply(enc);   // heads pruned by mask (head_mask.json)
            var cfg = src.config();
            int maxLen = cfg.maxPositionEmbeddings() - (cfg.isXlmRoberta() ? cfg.padTokenId() + 1 : 0);
            long heads = 0;   // all layers' heads: a line of n tokens has heads × n² attention values
            if (attentions) for (int l = 0; l < cfg.numHiddenLayers(); l++) heads += cfg.headsInLayer(l);
            long allHeads = heads;
            int[] lines = {0};
            Npz.write(output, w -> {
                List<Line> pool = new ArrayList<>();
                long bytes = 0;
                while (in.hasNext()) {
                    String text = in.next();
                    int number = in.lineNumber();
                    if (text.isBlank())
                        System.err.printf("warning: %s:%d is empty; encoded as the special tokens alone%n", input, number);
                    int[] seq = tok.encode(text).ids();
                    if (seq.length > maxLen) {
                        System.err.printf("warning: %s:%d has %d tokens; truncated to max_position_embeddings (%d)%n",
                                input, number, seq.length, maxLen);
                        int last = seq[seq.length - 1];
                        seq = Arrays.copyOf(seq, maxLen);
                        seq[maxLen - 1] = last;   // keep the closing [SEP] / </s>
                    }
                    pool.add(new Line(lines[0]++, seq));
                    long n = seq.length;
                    bytes += 4 * (n * cfg.hiddenSize() + allHeads * n * n);
                    if (pool.size() >= (long) batchSize * poolBatches || bytes >= POOL_BYTES || !in.hasNext()) {
                        encode(enc, cfg.padTokenId(), pool);
                        for (Line line : pool) write(w, line);
                        pool.clear();
                        bytes = 0;
                        ClosingMemoryMgr.trim();    // memory back to where it was before this pool
                    }
                }
            });
            System.err.printf("encoded %d lines with %s -> %s%n", lines[0], dir, output);
        }
        return 0;
    }

    /** Fills every line's outputs: batches of similar length (results do not depend on batch composition). */
    private void encode(Encoder enc, int padId, List<Line> pool) {
        List<Line> order = new ArrayList<>(pool);
        order.sort(Comparator.comparingInt(l -> l.ids.length));   // stable
        int h = hiddenSize = enc.config().hiddenSize();
        ClosingMemoryMgr.LengthSorted lengths = new ClosingMemoryMgr.LengthSorted();
        for (int s = 0; s < order.size(); s += batchSize) {
            List<Line> rows = order.subList(s, Math.min(order.size(), s + batchSize));
            lengths.before(rows.get(rows.size() - 1).ids.length);
            Encoder.Output o = enc.forward(Encoder.Batch.pad(rows.stream().map(l -> l.ids).toList(), padId));
            int t = (int) o.hidden().size(1);
            // each line's values read straight from the native buffers: a float[] of the whole batch would be a
            // humongous object for the collector, and the heap grew with them
            INDArray hidden = compact(o.hidden());                                                // [B, T, H]
            INDArray[] att = new INDArray[o.attentions().size()];
            heads = new long[att.length];
            for (int l = 0; l < att.length; l++) {
                att[l] = compact(o.attentions().get(l));                                          // [B, heads, T, T]
                heads[l] = att[l].size(1);
            }
            for (int r = 0; r < rows.size(); r++) {
                Line line = rows.get(r);
                int n = line.ids.length;
                line.hidden = hidden.data().getFloatsAt((long) r * t * h, n * h);                   // rows are contiguous
                line.attn = new float[att.length][];
                for (int l = 0; l < att.length; l++) {
                    int k = (int) heads[l];
                    float[] a = new float[k * n * n];
                    for (int head = 0; head < k; head++)
                        for (int q = 0; q < n; q++)
                            System.arraycopy(att[l].data().getFloatsAt(((long) (r * k + head) * t + q) * t, n), 0, a, (head * n + q) * n, n);
                    line.attn[l] = a;
                }
            }
            if (hidden != o.hidden()) hidden.close();
            for (int l = 0; l < att.length; l++) if (att[l] != o.attentions().get(l)) att[l].close();
            ClosingMemoryMgr.recycle(o.hidden());                // this batch's outputs back to the pool now
            o.attentions().forEach(ClosingMemoryMgr::recycle);
        }
    }

    private void write(Npz.Writer w, Line line) throws IOException {
        int i = line.index, n = line.ids.length;
        w.add("input_ids_" + i, new long[]{n}, Arrays.stream(line.ids).asLongStream().toArray());
        w.add("hidden_" + i, new long[]{n, hiddenSize}, line.hidden);
        for (int l = 0; l < line.attn.length; l++) w.add("attn_" + i + "_" + l, new long[]{heads[l], n, n}, line.attn[l]);
        line.hidden = null;
        line.attn = null;
    }

    /** The array as float32 in a C-order buffer of its own that starts at its first value: itself, or a copy (close it). */
    private static INDArray compact(INDArray a) {
        INDArray f = a.castTo(DataType.FLOAT);
        boolean plain = f.offset() == 0 && f.data().offset() == 0 && f.data().length() == f.length()
                && Arrays.equals(f.stride(), Nd4j.getStrides(f.shape(), 'c'));
        if (plain) return f;
        INDArray c = f.dup('c');
        if (f != a) f.close();
        return c;
    }
}
