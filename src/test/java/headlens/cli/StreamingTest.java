package headlens.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import headlens.data.DataReaders;
import headlens.data.Sentence;
import headlens.eval.Report;
import headlens.eval.Task;
import headlens.io.Npz;
import headlens.model.Encoder;
import headlens.model.ModelSource;
import headlens.tagger.Tagger;
import headlens.tagger.TaggerDir;
import headlens.tokenize.Tokenizer;
import headlens.tokenize.Tokenizers;
import headlens.train.WordSplitter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The streaming commands give what the previous, hold-everything implementations gave: {@code encode} against the
 * former EncodeCommand's algorithm (all lines tokenized, sorted by length over the whole input, outputs kept until
 * the end), {@code predict} and {@code eval} against {@link Tagger#predict(List)} over the whole input at once, each on
 * inputs that span several pools.
 */
class StreamingTest {
    @TempDir static Path tmp;
    static final String[] WORDS = {"the", "cat", "sat", "on", "a", "mat", "while", "Paris", "slept", ",", "quietly",
            "and", "nobody", "noticed", "it", "yesterday", "."};

    static String[] cli(String... args) {
        PrintStream out = System.out, err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
        System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
        try {
            return new String[]{String.valueOf(Main.run(args)), o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8)};
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    /** Lines of 1..maxWords random words, one of them blank. */
    static List<String> lines(int n, int maxWords, long seed) {
        Random r = new Random(seed);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (i == 7) { out.add(""); continue; }
            int k = 1 + r.nextInt(maxWords);
            StringBuilder sb = new StringBuilder();
            for (int j = 0; j < k; j++) sb.append(j == 0 ? "" : " ").append(WORDS[r.nextInt(WORDS.length)]);
            out.add(sb.toString());
        }
        return out;
    }

    /** The former EncodeCommand, verbatim but for the file handling: every line's outputs held, then written. */
    static Map<String, INDArray> previousEncode(Path dir, List<String> lines, boolean attentions, int batchSize) {
        ModelSource src = ModelSource.load(dir);
        Tokenizer tok = Tokenizers.load(dir);
        Encoder enc = Encoder.create(src.config(), src.weights(), attentions ? Encoder.Options.WITH_ATTENTIONS : Encoder.Options.INFERENCE);
        List<int[]> ids = new ArrayList<>();
        for (String line : lines) ids.add(tok.encode(line).ids());
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
                hidden[line] = o.hidden().get(NDArrayIndex.point(r), NDArrayIndex.interval(0, n)).dup('c');
                attn[line] = new INDArray[o.attentions().size()];
                for (int l = 0; l < o.attentions().size(); l++)
                    attn[line][l] = o.attentions().get(l).get(NDArrayIndex.point(r), NDArrayIndex.all(),
                            NDArrayIndex.interval(0, n), NDArrayIndex.interval(0, n)).dup('c');
            }
        }
        for (int i = 0; i < ids.size(); i++) {
            out.put("input_ids_" + i, Nd4j.createFromArray(Arrays.stream(ids.get(i)).asLongStream().toArray()));
            out.put("hidden_" + i, hidden[i].castTo(DataType.FLOAT));
            if (attentions) for (int l = 0; l < attn[i].length; l++) out.put("attn_" + i + "_" + l, attn[i][l]);
        }
        return out;
    }

    static Path minilm;

    @BeforeAll
    static void model() { minilm = ModelSource.ensureDefaultModel(); }

    /**
     * 40 lines, batches of 3. With one pool for the whole input the batches are those of the previous implementation and
     * every value is bit-identical. With pools of 6 lines, lines meet other neighbours in their batches, so padding
     * lengths and with them the kernels' summation order change (lines whose batch is unchanged stay bit-identical).
     * Measured: hidden states at most 3.0e-6 apart where they reach 6.2 in magnitude (4.8e-7 of the scale, a few
     * float32 ulps), attention probabilities at most 1.5e-6 apart; asserted: 1e-6 of the scale and 5e-6.
     */
    @Test
    void encodeStreamsPoolByPoolWithThePreviousOutput() throws Exception {
        List<String> lines = lines(40, 24, 3);
        Path in = tmp.resolve("in.txt");
        Files.write(in, lines);
        for (boolean attentions : new boolean[]{false, true}) {
            Map<String, INDArray> want = previousEncode(minilm, lines, attentions, 3);
            for (String pool : new String[]{"14", "2"}) {            // 14 batches: all 40 lines; 2: seven pools of 6 lines
                Path out = tmp.resolve("out-" + attentions + "-" + pool + ".npz");
                List<String> args = new ArrayList<>(List.of("encode", "--input", in.toString(), "--output", out.toString(),
                        "--batch-size", "3", "--pool-batches", pool));
                if (attentions) args.add("--attentions");
                String[] r = cli(args.toArray(String[]::new));
                assertEquals("0", r[0], r[2]);
                assertTrue(r[2].contains("in.txt:8 is empty"), r[2]);
                Map<String, INDArray> got = Npz.read(out);
                assertEquals(List.copyOf(want.keySet()), List.copyOf(got.keySet()), "entry names and order");
                assertEquals(attentions ? 40 * 8 : 80, got.size());
                double worstHidden = 0, worstAttn = 0;   // relative to the array's scale (max(1, max |value|))
                for (var e : want.entrySet()) {
                    INDArray g = got.get(e.getKey()), w = e.getValue();
                    assertArrayEquals(w.shape(), g.shape(), e.getKey());
                    if (w.dataType() == DataType.LONG) {
                        assertEquals(DataType.LONG, g.dataType(), e.getKey());
                        assertArrayEquals(w.toLongVector(), g.toLongVector(), e.getKey());
                        continue;
                    }
                    assertEquals(DataType.FLOAT, g.dataType(), e.getKey());
                    double diff = Transforms.abs(w.castTo(DataType.DOUBLE).sub(g.castTo(DataType.DOUBLE))).maxNumber().doubleValue();
                    double scale = Math.max(1, Transforms.abs(w).maxNumber().doubleValue());
                    if (e.getKey().startsWith("hidden_")) worstHidden = Math.max(worstHidden, diff / scale);
                    else worstAttn = Math.max(worstAttn, diff / scale);
                }
                if (pool.equals("14")) {
                    assertEquals(0.0, worstHidden + worstAttn, "one pool: the previous implementation's batches, bit for bit");
                } else {
                    assertTrue(worstHidden <= 1e-6, "hidden states vs the previous implementation, relative: " + worstHidden);
                    assertTrue(worstAttn <= 5e-6, "attention probabilities vs the previous implementation: " + worstAttn);
                }
            }
        }
    }

    /** A bad byte deep in the input, met after the first pools were written: exit 2, the file named, nothing left behind. */
    @Test
    void invalidUtf8MidStreamLeavesNoOutput() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("bad-utf8")), in = dir.resolve("in.txt"), out = dir.resolve("out.npz");
        String line = "word ".repeat(4000).strip() + "\n";             // 20,000 chars: past the reader's look-ahead
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < 3; i++) bytes.writeBytes(line.getBytes(StandardCharsets.UTF_8));
        bytes.writeBytes(new byte[]{'o', 'k', (byte) 0xC3, '(', '\n'});        // 0xC3 must be followed by a continuation byte
        Files.write(in, bytes.toByteArray());
        String[] r = cli("encode", "--input", in.toString(), "--output", out.toString(), "--batch-size", "1", "--pool-batches", "1");
        assertEquals("2", r[0], r[2]);
        assertTrue(r[2].contains("in.txt:1 has 4002 tokens"), "line 1 was encoded before the error: " + r[2]);
        assertTrue(r[2].contains("in.txt: not valid UTF-8"), r[2]);
        try (var files = Files.list(dir)) { assertEquals(List.of(in), files.toList(), "no output, no temporary file"); }
    }

    /** A RUN_DIR trained briefly on the tiny NER set of {@link TrainCommandTest} (predictions vary, which is all this needs). */
    static Path run;
    static Path dev;

    static Path runDir() throws Exception {
        if (run != null) return run;
        Path model = TrainCommandTest.tinyModel(tmp.resolve("tiny"));
        Path train = TrainCommandTest.tinyNer(tmp.resolve("train.tsv"), 16, 1);
        dev = TrainCommandTest.tinyNer(tmp.resolve("dev.tsv"), 100, 2);
        run = tmp.resolve("run");
        assertEquals(0, TrainCommandTest.cli(new ByteArrayOutputStream(), "train", "--model", model.toString(), "--task", "ner",
                "--train", train.toString(), "--dev", train.toString(), "--output", run.toString(), "--epochs", "2",
                "--lr", "5e-3", "--batch-size", "4", "--no-progress"));
        return run;
    }

    static Tagger tagger(Path run, int maxLength, int batchSize) {
        return TaggerDir.load(run).tagger(maxLength, 32, batchSize);
    }

    @Test
    void predictWritesWhatTaggingEverythingAtOnceGives() throws Exception {
        Path run = runDir();
        String[] vocab = {"john", "mary", "lives", "in", "paris", "lima", "today", "and", "visits", "oslo", "."};
        Random r = new Random(5);
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            if (i % 40 == 3) { lines.add("   "); continue; }
            int k = 1 + r.nextInt(14);
            StringBuilder sb = new StringBuilder();
            for (int j = 0; j < k; j++) sb.append(j == 0 ? "" : " ").append(vocab[r.nextInt(vocab.length)]);
            lines.add(sb.toString());
        }
        Path in = tmp.resolve("pred-in.txt");
        Files.write(in, lines);
        // reference: every sentence tagged at once (one length sort over all windows), then formatted
        List<String> texts = lines.stream().filter(l -> !l.isBlank()).toList();
        List<List<WordSplitter.Word>> words = texts.stream().map(WordSplitter::split).toList();
        List<Sentence> sentences = words.stream().map(ws -> new Sentence(ws.stream().map(WordSplitter.Word::text).toList(),
                List.of(), "und", "x")).toList();
        // --max-length 10: long lines are cut into several windows
        List<List<String>> labels = tagger(run, 10, 2).predict(sentences);
        StringBuilder conll = new StringBuilder(), json = new StringBuilder();
        ObjectMapper om = new ObjectMapper();
        for (int i = 0; i < texts.size(); i++) {
            for (int j = 0; j < words.get(i).size(); j++)
                conll.append(words.get(i).get(j).text()).append('\t').append(labels.get(i).get(j)).append('\n');
            conll.append('\n');
            json.append(om.writeValueAsString(PredictCommand.json(texts.get(i), words.get(i), labels.get(i), Task.NER))).append('\n');
        }
        assertTrue(labels.stream().flatMap(List::stream).distinct().count() > 1, "a tagger that predicts one label proves little");
        // batch size 2: pools of 64 sentences, so the 97 sentences take two
        String[] r1 = cli("predict", "--model", run.toString(), "--input", in.toString(), "--max-length", "10", "--batch-size", "2");
        assertEquals("0", r1[0], r1[2]);
        assertEquals(conll.toString(), r1[1]);
        Path out = tmp.resolve("pred.jsonl");
        String[] r2 = cli("predict", "--model", run.toString(), "--input", in.toString(), "--max-length", "10", "--batch-size", "2",
                "--format", "json", "--output", out.toString());
        assertEquals("0", r2[0], r2[2]);
        assertEquals(json.toString(), Files.readString(out));
    }

    @Test
    void evalScoresWhatEvaluatingEverythingAtOnceGives() throws Exception {
        Path run = runDir();
        Path metrics = tmp.resolve("metrics.json");
        String[] r = cli("eval", "--model", run.toString(), "--data", dev.toString(), "--batch-size", "2", "--max-length", "8",
                "--output", metrics.toString());
        assertEquals("0", r[0], r[2]);
        List<Sentence> gold = DataReaders.read(dev).sentences();
        Report want = Report.evaluate("ner", Report.Kind.ENTITY_F1, null, gold, tagger(run, 8, 2).predict(gold));
        assertEquals(want.toJson(), Files.readString(metrics));
        double f1 = want.overall().entities().micro().f1();
        assertTrue(f1 > 0 && f1 < 1, "a partly trained tagger: " + f1);
        assertEquals(100, want.overall().sentences());
    }
}
