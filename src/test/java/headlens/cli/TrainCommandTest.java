package headlens.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import headlens.config.EncoderConfig;
import headlens.convert.ModelFiles;
import headlens.convert.Tensor;
import headlens.model.RandomInit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * End to end through the CLI on a tiny BERT (random weights, a WordPiece vocab.txt of whole words): train on a tiny NER
 * set until it is learnt, evaluate the RUN_DIR, tag raw text with entity offsets.
 */
class TrainCommandTest {
    static final String[] NAMES = {"john", "mary", "ahmed", "yuki"}, CITIES = {"paris", "lima", "oslo"},
            OTHER = {"lives", "in", "works", "near", "today", "and", "visits", "."};
    static final ObjectMapper JSON = new ObjectMapper();

    static Path tinyModel(Path dir) throws Exception {
        List<String> vocab = new ArrayList<>(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"));
        for (String[] ws : new String[][]{NAMES, CITIES, OTHER}) vocab.addAll(List.of(ws));
        ObjectNode o = JSON.createObjectNode().put("model_type", "bert").put("vocab_size", vocab.size()).put("hidden_size", 32)
                .put("num_hidden_layers", 2).put("num_attention_heads", 4).put("intermediate_size", 64)
                .put("max_position_embeddings", 64).put("type_vocab_size", 2).put("pad_token_id", 0);
        EncoderConfig cfg = EncoderConfig.fromJson(o, "tiny");
        Files.createDirectories(dir);
        Path vocabFile = dir.resolve("src-vocab").resolve("vocab.txt");
        Files.createDirectories(vocabFile.getParent());
        Files.write(vocabFile, vocab);
        List<Tensor> ts = new ArrayList<>();
        for (Map.Entry<String, INDArray> e : RandomInit.weights(cfg, 5).entrySet())
            ts.add(Tensor.ofFloats(e.getKey(), e.getValue().shape(), e.getValue().dup('c').data().asFloat()));
        Path model = dir.resolve("model");
        ModelFiles.write(model, cfg, ts, List.of(vocabFile));
        return model;
    }

    /** WikiANN-style TSV: "PERSON lives in CITY ." and variations. */
    static Path tinyNer(Path file, int n, long seed) throws Exception {
        Random r = new Random(seed);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            String name = NAMES[r.nextInt(NAMES.length)], city = CITIES[r.nextInt(CITIES.length)];
            if (r.nextBoolean()) {
                sb.append(name).append("\tB-PER\n").append(r.nextBoolean() ? "lives" : "works").append("\tO\nin\tO\n")
                        .append(city).append("\tB-LOC\n.\tO\n\n");
            } else {
                sb.append("today\tO\n").append(name).append("\tB-PER\nvisits\tO\n").append(city).append("\tB-LOC\n\n");
            }
        }
        Files.writeString(file, sb);
        return file;
    }

    static int cli(ByteArrayOutputStream out, String... args) {
        PrintStream old = System.out;
        System.setOut(new PrintStream(out, true));
        try {
            return Main.run(args);
        } finally {
            System.setOut(old);
        }
    }

    @Test
    void trainEvalPredictOnATinyModel(@TempDir Path tmp) throws Exception {
        Path model = tinyModel(tmp);
        Path train = tinyNer(tmp.resolve("train.tsv"), 16, 1), dev = tinyNer(tmp.resolve("dev.tsv"), 8, 2);
        Path run = tmp.resolve("run");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int rc = cli(out, "train", "--model", model.toString(), "--task", "ner", "--train", train.toString(), "--dev", dev.toString(),
                "--eval", dev.toString(), "--output", run.toString(), "--epochs", "25", "--lr", "5e-3", "--batch-size", "4",
                "--no-progress");
        assertEquals(0, rc, out.toString());
        JsonNode metrics = JSON.readTree(run.resolve("metrics.json").toFile());
        assertEquals(1.0, metrics.path("f1").asDouble(), metrics.toString());

        // the RUN_DIR is a model directory: config with labels, classifier in the weights, tokenizer copied
        JsonNode config = JSON.readTree(run.resolve("config.json").toFile());
        assertEquals("B-LOC", config.path("id2label").path(config.path("label2id").path("B-LOC").asText()).asText());
        assertTrue(Files.isRegularFile(run.resolve("vocab.txt")) && Files.isRegularFile(run.resolve("model.safetensors")));
        assertTrue(headlens.convert.Safetensors.read(run.resolve("model.safetensors")).containsKey("classifier.weight"));

        Path metricsFile = tmp.resolve("m.json");
        assertEquals(0, cli(new ByteArrayOutputStream(), "eval", "--model", run.toString(), "--data", dev.toString(),
                "--output", metricsFile.toString()));
        JsonNode m = JSON.readTree(metricsFile.toFile());
        assertEquals(1.0, m.path("f1").asDouble());
        assertTrue(m.path("languages").isObject());

        Path text = tmp.resolve("in.txt"), pred = tmp.resolve("pred.jsonl");
        Files.writeString(text, "mary works in oslo.\n");
        assertEquals(0, cli(new ByteArrayOutputStream(), "predict", "--model", run.toString(), "--input", text.toString(),
                "--format", "json", "--output", pred.toString()));
        JsonNode p = JSON.readTree(Files.readAllLines(pred).get(0));
        assertEquals(5, p.path("words").size(), p.toString());          // "oslo" and "." split apart
        JsonNode ents = p.path("entities");
        assertEquals(2, ents.size(), p.toString());
        assertEquals("PER", ents.get(0).path("type").asText());
        assertEquals(0, ents.get(0).path("start").asInt());
        assertEquals(4, ents.get(0).path("end").asInt());
        assertEquals("LOC", ents.get(1).path("type").asText());
        assertEquals("oslo", ents.get(1).path("text").asText());
        assertEquals(14, ents.get(1).path("start").asInt());
    }

    @Test
    void badSettingsAreOneLineErrors(@TempDir Path tmp) throws Exception {
        Path cfg = tmp.resolve("x.yaml");
        Files.writeString(cfg, "task: pos\nlearning_rate: 1\n");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream old = System.err;
        System.setErr(new PrintStream(err, true));
        int rc;
        try {
            rc = Main.run("train", "--config", cfg.toString(), "--train", "a", "--dev", "b", "--output", tmp.resolve("r").toString());
        } finally {
            System.setErr(old);
        }
        assertEquals(2, rc);
        assertTrue(err.toString().contains("x.yaml") && err.toString().contains("learning_rate"), err.toString());
    }

    record Result(int rc, String err) {}

    static Result cliErr(String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream old = System.err;
        System.setErr(new PrintStream(err, true));
        try {
            return new Result(cli(new ByteArrayOutputStream(), args), err.toString());
        } finally {
            System.setErr(old);
        }
    }

    /**
     * A finished run is not replaced without --overwrite; a directory that a live `headlens train` (another JVM) is
     * writing is refused even with --overwrite; once that process is killed, its lock is gone and the directory usable.
     */
    @Test
    void runDirectoriesAreNotClobbered(@TempDir Path tmp) throws Exception {
        Path model = tinyModel(tmp);
        Path train = tinyNer(tmp.resolve("train.tsv"), 16, 1), dev = tinyNer(tmp.resolve("dev.tsv"), 8, 2);
        Path run = tmp.resolve("run");
        List<String> base = List.of("train", "--model", model.toString(), "--task", "ner", "--train", train.toString(), "--dev", dev.toString(),
                "--output", run.toString(), "--batch-size", "4", "--no-progress");
        java.util.function.Function<String[], String[]> with = extra -> {
            List<String> a = new ArrayList<>(base);
            a.addAll(List.of(extra));
            return a.toArray(String[]::new);
        };
        assertEquals(0, cliErr(with.apply(new String[]{"--epochs", "2", "--lr", "5e-3"})).rc);
        byte[] first = Files.readAllBytes(run.resolve("model.safetensors"));

        Result again = cliErr(with.apply(new String[]{"--epochs", "2", "--lr", "1e-3"}));
        assertEquals(2, again.rc);
        assertTrue(again.err.contains(run + ": not empty") && again.err.contains("--overwrite"), again.err);
        assertArrayEquals(first, Files.readAllBytes(run.resolve("model.safetensors")), "the finished run is untouched");
        assertEquals(2, cliErr(with.apply(new String[]{"--resume", "--overwrite"})).rc);
        byte[] pretrained = Files.readAllBytes(model.resolve("model.safetensors"));
        Result intoModel = cliErr("train", "--model", model.toString(), "--task", "ner", "--train", train.toString(), "--dev", dev.toString(),
                "--output", model.toString(), "--overwrite", "--epochs", "1", "--no-progress");
        assertEquals(2, intoModel.rc);
        assertTrue(intoModel.err.contains("is the base model's directory"), intoModel.err);
        assertArrayEquals(pretrained, Files.readAllBytes(model.resolve("model.safetensors")));

        // a live writer: another JVM training into the same directory for a long time
        Path log = tmp.resolve("writer.log");
        Process writer = headlens.sweep.Jvm.start(log, Main.class, with.apply(new String[]{"--overwrite", "--epochs", "100000", "--lr", "1e-3"}));
        try {
            headlens.sweep.Jvm.awaitText(log, "train: 16 sentences", 120_000, writer);
            Result busy = cliErr(with.apply(new String[]{"--overwrite", "--epochs", "1"}));
            assertEquals(2, busy.rc);
            assertTrue(busy.err.contains("another headlens process (pid " + writer.pid() + "@"), busy.err);
            writer.destroyForcibly();   // SIGKILL: no shutdown hook, nothing released by the JVM itself
            assertTrue(writer.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
        } finally {
            writer.destroyForcibly();
        }
        assertEquals(0, cliErr(with.apply(new String[]{"--overwrite", "--epochs", "2", "--lr", "1e-3"})).rc);
        assertFalse(java.util.Arrays.equals(first, Files.readAllBytes(run.resolve("model.safetensors"))), "replaced, as asked");
    }
}
