package headlens.sweep;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import headlens.cli.Main;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** The plan, status and merge of a sweep with nothing run yet; the Slurm scripts and their re-submission; the Kubernetes manifests. */
class SweepEmitTest {
    @TempDir Path tmp;
    static final ObjectMapper JSON = new ObjectMapper();

    Path config(String extra) throws Exception {
        Path yaml = tmp.resolve("tiny.yaml");
        Files.writeString(yaml, String.join("\n",
                "name: tiny_Sweep.1",
                "model: " + tmp.resolve("model"),
                "output: " + tmp.resolve("out"),
                "work: " + tmp.resolve("work"),
                "train: [{file: " + tmp.resolve("train.tsv") + "}]",
                "source_dev: [{file: " + tmp.resolve("dev.tsv") + "}]",
                "targets: {en: {dev: " + tmp.resolve("dev.tsv") + "}}",
                "k_max: 3",
                "controls: [random]",
                "control_k: [2]",
                "mode: both",
                extra, ""));
        return yaml;
    }

    record Out(int rc, String out, String err) {}

    static Out cli(String... args) {
        ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
        PrintStream oldO = System.out, oldE = System.err;
        System.setOut(new PrintStream(o, true));
        System.setErr(new PrintStream(e, true));
        try {
            return new Out(Main.run(args), o.toString(), e.toString());
        } finally {
            System.setOut(oldO);
            System.setErr(oldE);
        }
    }

    @Test
    void planStatusAndMergeBeforeAnythingRan() throws Exception {
        Path cfg = config("");
        Out plan = cli("sweep", "--config", cfg.toString(), "--plan");
        assertEquals(0, plan.rc, plan.err);
        List<JsonNode> units = new ArrayList<>();
        for (String l : plan.out.strip().split("\n")) units.add(JSON.readTree(l));
        assertEquals(List.of("base-k00", "heads", "lowest-k01", "lowest-k02", "lowest-k03", "random-k02", "iterative"),
                units.stream().map(u -> u.get("id").asText()).toList());
        assertTrue(units.get(0).get("index").isNull() && units.get(0).get("depends_on").isEmpty());
        assertEquals("[\"base-k00\"]", units.get(1).get("depends_on").toString());
        for (int i = 2; i < units.size(); i++) assertEquals(i - 2, units.get(i).get("index").asInt(), units.get(i).toString());
        assertEquals("[\"heads\"]", units.get(5).get("depends_on").toString());
        assertEquals("random", units.get(5).get("order").asText());
        assertEquals(2, units.get(5).get("k").asInt());
        assertEquals("[\"base-k00\"]", units.get(6).get("depends_on").toString());
        assertEquals("trials/lowest-k03.json", units.get(4).get("result").asText());

        Out st = cli("sweep", "--config", cfg.toString(), "--status");
        assertEquals(1, st.rc);
        assertEquals("missing\tbase-k00\t-", st.out.lines().findFirst().orElseThrow());
        assertEquals("missing\trandom-k02\t3", st.out.lines().toList().get(5));

        Out merge = cli("sweep", "--config", cfg.toString(), "--merge");
        assertEquals(1, merge.rc);
        assertTrue(merge.err.contains("7 of 7 units not done") && merge.err.contains("lowest-k02 (missing)"), merge.err);
        assertFalse(Files.exists(tmp.resolve("out/results.json")));

        Out dep = cli("sweep", "--config", cfg.toString(), "--trial", "lowest-k01");
        assertEquals(2, dep.rc);
        assertTrue(dep.err.contains("needs unit heads first"), dep.err);
        Out range = cli("sweep", "--config", cfg.toString(), "--trial-index", "5");
        assertEquals(2, range.rc);
        assertTrue(range.err.contains("outside 0..4"), range.err);
        assertEquals(2, cli("sweep", "--config", cfg.toString(), "--trial", "nope").rc);
        assertEquals(2, cli("sweep", "--config", cfg.toString(), "--plan", "--merge").rc);
    }

    /** A unit whose process is alive is "running"; SIGKILL it and the lock is gone at once: no stale lock. */
    @Test
    void aKilledUnitLeavesNoLockBehind() throws Exception {
        Path cfg = config("");
        Path lock = tmp.resolve("work/locks/lowest-k02.lock"), log = tmp.resolve("holder.log");
        Process p = Jvm.start(log, Jvm.LockHolder.class, lock.toString());
        try {
            Jvm.awaitText(log, "held", 60_000, p);
            Out st = cli("sweep", "--config", cfg.toString(), "--status");
            assertEquals("running\tlowest-k02\t1", st.out.lines().toList().get(3), st.out);
            p.destroyForcibly();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            st = cli("sweep", "--config", cfg.toString(), "--status");
            assertEquals("missing\tlowest-k02\t1", st.out.lines().toList().get(3), st.out);
            assertTrue(Files.exists(lock), "the lock file stays; only the OS lock on it went");
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void slurmScriptsSubmitOnlyWhatIsMissing() throws Exception {
        Path cfg = config("cluster: {cpus_per_task: 3, mem: 5G, time: \"00:30:00\", parallel: 2, partition: short}");
        Path to = tmp.resolve("slurm");
        Path launcher = Jvm.launcher(tmp.resolve("headlens-test"));
        Out emit = cli("sweep", "--config", cfg.toString(), "--emit", "slurm", "--to", to.toString(), "--parallel", "3",
                "--launcher", launcher.toString());
        assertEquals(0, emit.rc, emit.err);
        String trials = Files.readString(to.resolve("trials.sbatch"));
        for (String line : List.of("#SBATCH --cpus-per-task=3", "#SBATCH --mem=5G", "#SBATCH --time=00:30:00", "#SBATCH --partition=short",
                "#SBATCH --kill-on-invalid-dep=yes", "export OMP_NUM_THREADS=\"${SLURM_CPUS_PER_TASK:-3}\"", "--trial-index \"$SLURM_ARRAY_TASK_ID\""))
            assertTrue(trials.contains(line), line + " in\n" + trials);
        assertTrue(Files.readString(to.resolve("setup.sbatch")).contains("--trial base-k00 --trial heads"));
        assertTrue(Files.readString(to.resolve("merge.sbatch")).contains(" --merge"));

        // a fake sbatch that records its arguments and answers job ids the way --parsable does
        Path calls = tmp.resolve("sbatch.calls"), sbatch = tmp.resolve("sbatch");
        Files.writeString(sbatch, "#!/usr/bin/env bash\nn=$(( $(wc -l < '" + calls + "' 2>/dev/null || echo 0) + 1001 ))\n"
                + "echo \"$*\" >> '" + calls + "'\necho \"$n;cluster\"\n");
        sbatch.toFile().setExecutable(true);
        List<String> out = submit(to, sbatch);
        assertEquals(List.of("setup job 1001", "trial array job 1002 (tasks 0-4, at most 3 at once)", "merge job 1003"), out);
        List<String> args = Files.readAllLines(calls);
        assertEquals("--parsable " + to.toAbsolutePath() + "/setup.sbatch", args.get(0));
        assertEquals("--parsable --dependency=afterok:1001 --array=0-4%3 " + to.toAbsolutePath() + "/trials.sbatch", args.get(1));
        assertEquals("--parsable --dependency=afterok:1002 " + to.toAbsolutePath() + "/merge.sbatch", args.get(2));

        // setup and trials 0, 2 done (result files present): a re-submission asks only for 1, 3, 4
        for (String f : List.of("out/trials/base-k00.json", "work/base/model.safetensors", "out/heads.json", "out/trials/lowest-k01.json",
                "out/trials/lowest-k03.json")) {
            Files.createDirectories(tmp.resolve(f).getParent());
            Files.writeString(tmp.resolve(f), "{}");
        }
        Files.delete(calls);
        out = submit(to, sbatch);
        assertEquals(List.of("trial array job 1001 (tasks 1,3-4, at most 3 at once)", "merge job 1002"), out);
        assertEquals("--parsable --array=1,3-4%3 " + to.toAbsolutePath() + "/trials.sbatch", Files.readAllLines(calls).get(0));

        // a seed replicate's jobs: every sweep call carries --seed, its setup is the k = 0 alone (no ranking of its own)
        Path rep = tmp.resolve("slurm-seed7");
        Out emitRep = cli("sweep", "--config", cfg.toString(), "--seed", "7", "--emit", "slurm", "--to", rep.toString(), "--launcher", launcher.toString());
        assertEquals(0, emitRep.rc, emitRep.err);
        String setupRep = Files.readString(rep.resolve("setup.sbatch"));
        assertTrue(setupRep.contains(" --seed 7 --trial base-k00\n") && !setupRep.contains("--trial heads"), setupRep);
        assertTrue(setupRep.contains("tiny_Sweep.1-seed7-setup"), setupRep);
        assertTrue(Files.readString(rep.resolve("trials.sbatch")).contains(" --seed 7 --trial-index \"$SLURM_ARRAY_TASK_ID\""));
        assertTrue(Files.readString(rep.resolve("merge.sbatch")).contains(" --seed 7 --merge"));
    }

    private List<String> submit(Path to, Path sbatch) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("bash", to.resolve("submit.sh").toString()).redirectErrorStream(false);
        pb.environment().put("SBATCH", sbatch.toString());
        Process p = pb.start();
        String stdout = new String(p.getInputStream().readAllBytes());
        String stderr = new String(p.getErrorStream().readAllBytes());
        assertEquals(0, p.waitFor(), stdout + stderr);
        return stdout.lines().toList();
    }

    @Test
    void kubernetesManifestsAreValidApiObjects() throws Exception {
        Path cfg = config("cluster: {cpus_per_task: 4, mem: 6G, parallel: 3, image: registry.example/headlens:0.1.0, storage: 50Gi}");
        Path to = tmp.resolve("k8s");
        Out emit = cli("sweep", "--config", cfg.toString(), "--emit", "k8s", "--to", to.toString());
        assertEquals(0, emit.rc, emit.err);
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory()).enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
        PersistentVolumeClaim pvc = strict(yaml, to.resolve("pvc.yaml"), PersistentVolumeClaim.class);
        assertEquals(List.of("ReadWriteMany"), pvc.getSpec().getAccessModes());
        assertEquals(new Quantity("50Gi"), pvc.getSpec().getResources().getRequests().get("storage"));
        String claim = pvc.getMetadata().getName();
        assertTrue(dns1123(claim), claim);

        Job trials = strict(yaml, to.resolve("trials-job.yaml"), Job.class);
        JobSpec js = trials.getSpec();
        assertEquals("Indexed", js.getCompletionMode());
        assertEquals(5, js.getCompletions());
        assertEquals(3, js.getParallelism());
        Container c = job(trials, claim);
        assertEquals(List.of("sweep", "--config", cfg.toAbsolutePath().toString(), "--trial-index", "$(JOB_COMPLETION_INDEX)"), c.getArgs());
        assertEquals("metadata.annotations['batch.kubernetes.io/job-completion-index']",
                c.getEnv().stream().filter(e -> e.getName().equals("JOB_COMPLETION_INDEX")).findFirst().orElseThrow()
                        .getValueFrom().getFieldRef().getFieldPath());
        assertEquals("4", c.getEnv().stream().filter(e -> e.getName().equals("OMP_NUM_THREADS")).findFirst().orElseThrow().getValue());
        assertEquals(new Quantity("4"), c.getResources().getRequests().get("cpu"));
        assertEquals(new Quantity("6Gi"), c.getResources().getRequests().get("memory"));
        assertEquals("registry.example/headlens:0.1.0", c.getImage());

        Container setup = job(strict(yaml, to.resolve("setup-job.yaml"), Job.class), claim);
        assertEquals(List.of("--trial", "base-k00", "--trial", "heads"), setup.getArgs().subList(3, 7));
        Container merge = job(strict(yaml, to.resolve("merge-job.yaml"), Job.class), claim);
        assertEquals("--merge", merge.getArgs().get(merge.getArgs().size() - 1));
        // a seed replicate: --seed in every container's arguments
        Path rep = tmp.resolve("k8s-seed7");
        assertEquals(0, cli("sweep", "--config", cfg.toString(), "--seed", "7", "--emit", "k8s", "--to", rep.toString()).rc);
        Container repTrial = job(strict(yaml, rep.resolve("trials-job.yaml"), Job.class), claim.replace("-shared", "-seed7-shared"));
        assertEquals(List.of("sweep", "--config", cfg.toAbsolutePath().toString(), "--seed", "7", "--trial-index", "$(JOB_COMPLETION_INDEX)"), repTrial.getArgs());
        String run = Files.readString(to.resolve("run.sh"));
        assertTrue(run.indexOf("setup-job.yaml") < run.indexOf("trials-job.yaml") && run.indexOf("trials-job.yaml") < run.indexOf("merge-job.yaml"));
    }

    /** The API's required fields of a Job's pod, and the claim mounted; returns the one container. */
    private static Container job(Job j, String claim) {
        assertEquals("batch/v1", j.getApiVersion());
        assertTrue(dns1123(j.getMetadata().getName()) && j.getMetadata().getName().length() <= 63, j.getMetadata().getName());
        PodSpec pod = j.getSpec().getTemplate().getSpec();
        assertTrue(List.of("Never", "OnFailure").contains(pod.getRestartPolicy()), "a Job's pods may not restart Always");
        assertEquals(1, pod.getContainers().size());
        Container c = pod.getContainers().get(0);
        assertTrue(c.getName() != null && dns1123(c.getName()) && c.getImage() != null && !c.getImage().isBlank());
        assertEquals("headlens", c.getCommand().get(0));
        assertEquals(claim, pod.getVolumes().get(0).getPersistentVolumeClaim().getClaimName());
        assertEquals(pod.getVolumes().get(0).getName(), c.getVolumeMounts().get(0).getName());
        assertEquals(K8sEmitter.MOUNT, c.getVolumeMounts().get(0).getMountPath());
        assertTrue(c.getWorkingDir().startsWith(K8sEmitter.MOUNT));
        return c;
    }

    private static boolean dns1123(String s) {
        return s.matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    }

    /**
     * Reads a manifest into fabric8's typed model. Its classes keep unknown keys in additionalProperties rather than
     * failing, so every reachable model object is checked to have none: a misspelt or misplaced field fails here.
     */
    static <T> T strict(ObjectMapper yaml, Path file, Class<T> type) throws Exception {
        T obj = yaml.readValue(file.toFile(), type);
        List<String> unknown = new ArrayList<>();
        walk(obj, type.getSimpleName(), unknown, new IdentityHashMap<>());
        assertEquals(List.of(), unknown, file + ": fields the Kubernetes API does not have");
        // and what the model writes back is what was emitted (no field dropped or renamed); quantities as strings
        ObjectMapper back = new ObjectMapper().registerModule(new com.fasterxml.jackson.databind.module.SimpleModule()
                .addSerializer(Quantity.class, new com.fasterxml.jackson.databind.ser.std.ToStringSerializerBase(Quantity.class) {
                    @Override public String valueToString(Object q) { return q.toString(); }
                }));
        assertEquals(yaml.readTree(file.toFile()), back.valueToTree(obj), file.toString());
        return obj;
    }

    private static void walk(Object o, String path, List<String> unknown, Map<Object, Boolean> seen) throws Exception {
        if (o == null || seen.put(o, true) != null) return;
        if (o instanceof List<?> l) {
            for (int i = 0; i < l.size(); i++) walk(l.get(i), path + "[" + i + "]", unknown, seen);
            return;
        }
        if (o instanceof Map<?, ?> m) {
            for (var e : m.entrySet()) walk(e.getValue(), path + "." + e.getKey(), unknown, seen);
            return;
        }
        if (!o.getClass().getName().startsWith("io.fabric8.")) return;
        for (Method g : o.getClass().getMethods()) {
            if (g.getParameterCount() != 0 || !g.getName().startsWith("get") || g.getDeclaringClass() == Object.class) continue;
            Object v = g.invoke(o);
            if (g.getName().equals("getAdditionalProperties")) {
                if (v instanceof Map<?, ?> m && !m.isEmpty()) unknown.add(path + ": " + m.keySet());
            } else {
                walk(v, path + "." + g.getName().substring(3), unknown, seen);
            }
        }
    }
}
