package headlens.cli;

import headlens.io.Npz;
import headlens.model.Encoder;
import headlens.model.ModelSource;
import headlens.tokenize.Tokenizer;
import headlens.tokenize.Tokenizers;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code headlens encode}: hidden states (and attention probabilities) of every input line, as .npz. */
@Command(name = "encode", mixinStandardHelpOptions = true,
        description = "Encode one sentence per line; write input_ids_i, hidden_i [T, hidden] (and attn_i_L [heads, T, T]) to an .npz file.")
public final class EncodeCommand implements Callable<Integer> {
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

    @Override
    public Integer call() throws IOException {
        List<String> lines = InputLines.read(input);
        if (lines.isEmpty()) throw new HeadlensException(input + ": no input lines");
        if (batchSize < 1) throw new HeadlensException("--batch-size must be at least 1");
        Path dir = model != null ? ModelSource.resolve(model) : ModelSource.ensureDefaultModel();
        ModelSource src = ModelSource.load(dir);
        Tokenizer tok = Tokenizers.load(dir);
        Encoder enc = Encoder.create(src.config(), src.weights(),
                attentions ? Encoder.Options.WITH_ATTENTIONS : Encoder.Options.INFERENCE);
        headlens.heads.HeadMask.read(dir, src.config()).apply(enc);   // heads pruned by mask (head_mask.json)
        int maxLen = src.config().maxPositionEmbeddings() - (src.config().isXlmRoberta() ? src.config().padTokenId() + 1 : 0);

        List<int[]> ids = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank())
                System.err.printf("warning: %s:%d is empty; encoded as the special tokens alone%n", input, i + 1);
            int[] seq = tok.encode(lines.get(i)).ids();
            if (seq.length > maxLen) {
                System.err.printf("warning: %s:%d has %d tokens; truncated to max_position_embeddings (%d)%n",
                        input, i + 1, seq.length, maxLen);
                int last = seq[seq.length - 1];
                seq = Arrays.copyOf(seq, maxLen);
                seq[maxLen - 1] = last;   // keep the closing [SEP] / </s>
            }
            ids.add(seq);
        }
        // batches of similar length; results do not depend on batch composition
        Integer[] order = new Integer[ids.size()];
        for (int i = 0; i < order.length; i++) order[i] = i;
        Arrays.sort(order, Comparator.comparingInt(i -> ids.get(i).length));
        Map<String, INDArray> out = new LinkedHashMap<>();
        INDArray[] hidden = new INDArray[ids.size()];
        INDArray[][] attn = new INDArray[ids.size()][];
        for (int s = 0; s < order.length; s += batchSize) {
            List<Integer> rows = Arrays.asList(order).subList(s, Math.min(order.length, s + batchSize));
            List<int[]> seqs = rows.stream().map(ids::get).toList();
            Encoder.Output o = enc.forward(Encoder.Batch.pad(seqs, src.config().padTokenId()));
            for (int r = 0; r < rows.size(); r++) {
                int n = seqs.get(r).length, line = rows.get(r);
                hidden[line] = o.hidden().get(NDArrayIndex.point(r), NDArrayIndex.interval(0, n)).dup('c');  // [T, H]
                attn[line] = new INDArray[o.attentions().size()];
                for (int l = 0; l < o.attentions().size(); l++)
                    attn[line][l] = o.attentions().get(l).get(NDArrayIndex.point(r), NDArrayIndex.all(),
                            NDArrayIndex.interval(0, n), NDArrayIndex.interval(0, n)).dup('c');               // [heads, T, T]
            }
        }
        for (int i = 0; i < ids.size(); i++) {
            out.put("input_ids_" + i, Nd4j.createFromArray(Arrays.stream(ids.get(i)).asLongStream().toArray()));
            out.put("hidden_" + i, hidden[i].castTo(DataType.FLOAT));
            if (attentions) for (int l = 0; l < attn[i].length; l++) out.put("attn_" + i + "_" + l, attn[i][l]);
        }
        Npz.write(output, out);
        System.err.printf("encoded %d lines with %s -> %s%n", ids.size(), dir, output);
        return 0;
    }
}
