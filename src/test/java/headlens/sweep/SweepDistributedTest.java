package headlens.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import headlens.cli.Main;
import org.apache.commons.io.FileUtils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A sweep cut into units and run out of order, in other processes, or as a Kubernetes Indexed Job would run it,
 * merges to what the plain sequential run wrote (timings aside).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SweepDistributedTest {
    static final ObjectMapper JSON = new ObjectMapper();
    Path root;

    @BeforeAll
    void sequentialReference() throws Exception {
        root = Files.createTempDirectory("sweep-distributed");
        SweepFixture.data(root);
        assertEquals(0, Main.run("sweep", "--config", config("seq").toString()));
    }

    @AfterAll
    void cleanUp() throws Exception {
        FileUtils.deleteDirectory(root.toFile());
    }

    Path config(String name) throws Exception {
        return SweepFixture.config(root, name, 2);
    }

    /** The Job controller's way: every index of the Indexed Job, here in reverse order, each in a fresh Sweep. */
    @Test
    void kubernetesIndexedJobMergesToTheSequentialResult() throws Exception {
        Path cfg = config("k8s"), to = root.resolve("k8s-manifests");
        assertEquals(0, Main.run("sweep", "--config", cfg.toString(), "--emit", "k8s", "--to", to.toString()));
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        assertEquals(0, Main.run(containerArgs(yaml.readTree(to.resolve("setup-job.yaml").toFile()), null)));
        JsonNode trials = yaml.readTree(to.resolve("trials-job.yaml").toFile());
        int n = trials.at("/spec/completions").asInt();
        assertEquals(4, n);   // lowest-k01, lowest-k02, random-k02, iterative
        for (int i = n - 1; i >= 0; i--) {
            assertEquals(1, Main.run("sweep", "--config", cfg.toString(), "--status"), "not complete before index " + i);
            assertEquals(0, Main.run(containerArgs(trials, i)), "index " + i);
        }
        assertEquals(0, Main.run("sweep", "--config", cfg.toString(), "--status"));
        assertEquals(0, Main.run(containerArgs(yaml.readTree(to.resolve("merge-job.yaml").toFile()), null)));
        assertSameResults(root.resolve("seq/out"), root.resolve("k8s/out"));
    }

    /**
     * The container's command and args with {@code $(VAR)} expanded as the kubelet does, from the container's env;
     * JOB_COMPLETION_INDEX comes from the pod annotation that the Job controller sets to the index.
     */
    static String[] containerArgs(JsonNode job, Integer index) {
        JsonNode c = job.at("/spec/template/spec/containers/0");
        Map<String, String> env = new TreeMap<>();
        for (JsonNode e : c.get("env")) {
            if (e.has("value")) env.put(e.get("name").asText(), e.get("value").asText());
            else if (e.at("/valueFrom/fieldRef/fieldPath").asText().equals("metadata.annotations['batch.kubernetes.io/job-completion-index']")) {
                assertNotNull(index, "only the indexed Job reads the completion index");
                env.put(e.get("name").asText(), String.valueOf(index));
            }
        }
        assertEquals("headlens", c.at("/command/0").asText());
        List<String> args = new ArrayList<>();
        Pattern ref = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)");
        for (JsonNode a : c.get("args")) {
            Matcher m = ref.matcher(a.asText());
            StringBuilder sb = new StringBuilder();
            while (m.find()) m.appendReplacement(sb, Matcher.quoteReplacement(env.getOrDefault(m.group(1), m.group())));
            m.appendTail(sb);
            args.add(sb.toString());
        }
        return args.toArray(String[]::new);
    }

    /**
     * Two real processes asked for the same trial while this one runs another: one result, trained once, equal to the
     * sequential run's; the other waited for the lock and then found the unit done.
     */
    @Test
    void twoProcessesOnOneTrialProduceOneResult() throws Exception {
        Path cfg = config("proc");
        // the setup units as the sequential run left them
        for (String f : List.of("out/trials/base-k00.json", "out/heads.json"))
            FileUtils.copyFile(root.resolve("seq").resolve(f).toFile(), root.resolve("proc").resolve(f).toFile());
        FileUtils.copyDirectory(root.resolve("seq/work/base").toFile(), root.resolve("proc/work/base").toFile());
        Path logA = root.resolve("proc-a.log"), logB = root.resolve("proc-b.log");
        Process a = Jvm.start(logA, Main.class, "sweep", "--config", cfg.toString(), "--trial", "lowest-k02");
        Process b = Jvm.start(logB, Main.class, "sweep", "--config", cfg.toString(), "--trial", "lowest-k02");
        try {
            CompletableFuture<Integer> other = CompletableFuture.supplyAsync(() -> Main.run("sweep", "--config", cfg.toString(), "--trial", "random-k02"));
            assertTrue(a.waitFor(10, TimeUnit.MINUTES) && b.waitFor(1, TimeUnit.MINUTES));
            String la = Files.readString(logA), lb = Files.readString(logB);
            assertEquals(0, a.exitValue(), la);
            assertEquals(0, b.exitValue(), lb);
            assertEquals(0, other.get(10, TimeUnit.MINUTES));
            int trained = count(la, "trial lowest-k02: masking") + count(lb, "trial lowest-k02: masking");
            assertEquals(1, trained, "exactly one process trains it\n--- A\n" + la + "\n--- B\n" + lb);
            assertTrue((la + lb).contains("unit lowest-k02: done"), la + lb);
            (la + lb).lines().filter(l -> l.contains("lowest-k02")).forEach(l -> System.err.println("[process] " + l));   // "done by another process" or "done (" if it came late
        } finally {
            a.destroyForcibly();
            b.destroyForcibly();
        }
        for (String t : List.of("lowest-k02", "random-k02"))
            assertEquals(normalize(read(root.resolve("seq/out/trials/" + t + ".json"))), normalize(read(root.resolve("proc/out/trials/" + t + ".json"))), t);
        assertEquals(List.of("base-k00.json", "lowest-k02.json", "random-k02.json"), names(root.resolve("proc/out/trials")));
    }

    /**
     * A trial killed after its first best checkpoint (its weights in best-weights.npz, nothing scored, no result or
     * trial file yet) resumes, reloads those weights after the last update (which is not better) and writes the result
     * file and trial file of the uninterrupted run, both only at the end.
     */
    @Test
    void killedTrialResumesWithTheBestCheckpointsScores() throws Exception {
        Killed k = killAfterFirstBest("kill");
        SweepConfig c = k.config();
        SweepPlan.Unit u = k.unit();
        String id = u.id();
        Sweep killed = new Sweep(c, System.err);
        assertFalse(killed.isDone(u));
        assertFalse(Files.exists(root.resolve("kill/out/results/" + id + ".json")), "no result file before the commit point");
        Path trialDir = root.resolve("kill/work/trials/" + id);
        assertTrue(Files.isRegularFile(trialDir.resolve("best-weights.npz")), "the best checkpoint's weights are kept");
        assertFalse(Files.exists(trialDir.resolve("best.json")), "targets are scored once, after training");
        new Sweep(c, System.err).runUnit(u);
        assertEquals(5, read(trialDir.resolve("best.json")).get("step").asInt());
        assertTrue(read(trialDir.resolve("best.json")).at("/result/results/de/test/metrics/f1/tp").isArray());
        assertFalse(Files.exists(trialDir.resolve("best-weights.npz")), "deleted with the checkpoints");
        assertEquals(normalize(read(root.resolve("seq/out/results/" + id + ".json"))), normalize(read(root.resolve("kill/out/results/" + id + ".json"))));
        assertEquals(normalize(read(root.resolve("seq/out/trials/" + id + ".json"))), normalize(read(root.resolve("kill/out/trials/" + id + ".json"))));
    }

    /**
     * A trial begun by an older headlens (best.json without per-sentence scores) and resumed here: the trial file as
     * before, no result file, and a line saying why. The trial's best checkpoint precedes the kill, so nothing rewrites best.json.
     */
    @Test
    void trialBegunByAnOlderHeadlensResumesWithoutAResultFile() throws Exception {
        Killed k = killAfterFirstBest("old");
        SweepConfig c = k.config();
        SweepPlan.Unit u = k.unit();
        String id = u.id();
        Path bestFile = root.resolve("old/work/trials/" + id + "/best.json");
        ObjectNode b = JSON.createObjectNode();   // what the sweep wrote at its best checkpoint before result files existed
        b.set("scores", read(root.resolve("seq/out/trials/" + id + ".json")).get("scores"));
        Files.writeString(bestFile, b.toString());
        java.io.ByteArrayOutputStream log = new java.io.ByteArrayOutputStream();
        new Sweep(c, new java.io.PrintStream(log, true, java.nio.charset.StandardCharsets.UTF_8)).runUnit(u);
        assertTrue(log.toString(java.nio.charset.StandardCharsets.UTF_8).contains("has no per-sentence scores (an older headlens wrote it)"), log.toString());
        assertFalse(Files.exists(root.resolve("old/out/results/" + id + ".json")));
        assertEquals(normalize(read(root.resolve("seq/out/trials/" + id + ".json"))), normalize(read(root.resolve("old/out/trials/" + id + ".json"))));
    }

    /** A sweep in root/NAME with the k = 0 and ranking units of "seq", and one trial killed at update 7. */
    private record Killed(SweepConfig config, SweepPlan.Unit unit) {}

    private Killed killAfterFirstBest(String name) throws Exception {
        Path cfg = config(name);
        for (String f : List.of("out/trials/base-k00.json", "out/heads.json"))
            FileUtils.copyFile(root.resolve("seq").resolve(f).toFile(), root.resolve(name).resolve(f).toFile());
        FileUtils.copyDirectory(root.resolve("seq/work/base").toFile(), root.resolve(name).resolve("work/base").toFile());
        SweepConfig c = SweepConfig.read(cfg);
        // 40 sentences / batch 8 = 5 updates per epoch, 2 epochs: killed at update 7, after the first dev evaluation,
        // in a trial whose best checkpoint is that first one (the resumed part finds no better one)
        String id = null;
        for (String t : List.of("lowest-k01", "lowest-k02", "random-k02"))
            if (id == null && read(root.resolve("seq/out/trials/" + t + ".json")).get("best_step").asInt() == 5) id = t;
        assertNotNull(id, "a trial whose best checkpoint is at the first evaluation");
        Sweep killed = new Sweep(c, System.err).stopAfter(7);
        SweepPlan.Unit u = killed.plan().byId(id);
        assertThrows(headlens.core.HeadlensException.class, () -> killed.runUnit(u));
        return new Killed(c, u);
    }

    static int count(String s, String what) {
        int n = 0;
        for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) n++;
        return n;
    }

    static void assertSameResults(Path a, Path b) throws Exception {
        assertEquals(names(a.resolve("trials")), names(b.resolve("trials")));
        for (String f : names(a.resolve("trials")))
            assertEquals(normalize(read(a.resolve("trials/" + f))), normalize(read(b.resolve("trials/" + f))), f);
        assertEquals(names(a.resolve("iterative")), names(b.resolve("iterative")));
        for (String f : names(a.resolve("iterative")))
            assertEquals(normalize(read(a.resolve("iterative/" + f))), normalize(read(b.resolve("iterative/" + f))), f);
        assertEquals(normalize(read(a.resolve("heads.json"))), normalize(read(b.resolve("heads.json"))));
        assertEquals(names(a.resolve("trials")), names(a.resolve("results")));
        assertEquals(names(a.resolve("results")), names(b.resolve("results")));
        for (String f : names(a.resolve("results")))
            assertEquals(normalize(read(a.resolve("results/" + f))), normalize(read(b.resolve("results/" + f))), f);
        JsonNode ra = normalize(read(a.resolve("results.json"))), rb = normalize(read(b.resolve("results.json")));
        ((ObjectNode) ra).remove("name");   // the config names differ; nothing else may
        ((ObjectNode) rb).remove("name");
        assertEquals(ra, rb);
        assertEquals(Files.readString(a.resolve("results.csv")), Files.readString(b.resolve("results.csv")));
        assertTrue(ra.get("trials").size() >= 4 && ra.get("iterative").size() >= 1, ra.toString());
    }

    static JsonNode read(Path f) throws Exception {
        return JSON.readTree(f.toFile());
    }

    /** Without what measures time or memory: {@code seconds}, {@code train_seconds}, {@code resumed} (how the run went, not what it found), {@code costs}, heads.json's {@code info}, the result files' {@code wall_seconds} and {@code peak_rss_bytes}. */
    static JsonNode normalize(JsonNode n) {
        JsonNode c = n.deepCopy();
        strip(c);
        return c;
    }

    private static void strip(JsonNode n) {
        if (n instanceof ObjectNode o) {
            for (String k : List.of("seconds", "train_seconds", "resumed", "costs", "info", "wall_seconds", "peak_rss_bytes")) o.remove(k);
            for (Iterator<JsonNode> it = o.elements(); it.hasNext(); ) strip(it.next());
        } else if (n instanceof ArrayNode a) {
            a.forEach(SweepDistributedTest::strip);
        }
    }

    static List<String> names(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(x -> x.endsWith(".json") && !x.startsWith(".")).sorted().toList();
        }
    }
}
