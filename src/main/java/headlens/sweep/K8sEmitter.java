package headlens.sweep;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import headlens.core.HeadlensException;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code --emit k8s}: a PersistentVolumeClaim for the shared directories, a setup Job, an Indexed Job over the
 * parallel units (the Job controller sets {@code JOB_COMPLETION_INDEX} in each pod; the container runs
 * {@code --trial-index $(JOB_COMPLETION_INDEX)}), a merge Job, and {@code run.sh}, which applies them in order with
 * {@code kubectl wait} between (Jobs have no dependencies of their own). The volume is mounted at {@code /sweep};
 * the jobs run in {@code /sweep/headlens}, so {@code ../shared/data} of the configs is {@code /sweep/shared/data}.
 */
public final class K8sEmitter {
    public static final String MOUNT = "/sweep", WORKDIR = MOUNT + "/headlens";
    static final String INDEX_ANNOTATION = "metadata.annotations['batch.kubernetes.io/job-completion-index']";
    // its own mapper: YAML as kubectl users write it (no "---", few quotes, but number-like strings quoted so that they stay strings)
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES).enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS));

    private K8sEmitter() {}

    /**
     * @param config the config's path as the container sees it, relative to {@link #WORKDIR}
     * @param seed   a seed replicate's seed (--seed), or null
     */
    public static List<Path> write(SweepConfig cfg, String config, Long seed, SweepPlan plan, Resources r, Path to, String launcher) {
        int n = plan.parallel().size();
        if (n == 0) throw new HeadlensException("sweep " + cfg.name() + ": the plan has no trials to run as an Indexed Job");
        String base = "headlens-" + cfg.name().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-");
        if (base.length() > 50) base = base.substring(0, 50);
        base = base.replaceAll("-+$", "");
        String claim = base + "-shared";
        List<String> sweep = seed == null ? List.of(launcher, "sweep", "--config", config)
                : List.of(launcher, "sweep", "--config", config, "--seed", String.valueOf(seed));

        ObjectNode pvc = object("v1", "PersistentVolumeClaim", claim, cfg.name());
        ObjectNode ps = pvc.putObject("spec");
        ps.putArray("accessModes").add("ReadWriteMany");   // every pod reads and writes the same output/work
        if (r.storageClass() != null) ps.put("storageClassName", r.storageClass());
        ps.putObject("resources").putObject("requests").put("storage", r.storage());

        List<String> setup = new ArrayList<>(sweep);
        for (SweepPlan.Unit u : plan.setupUnits()) { setup.add("--trial"); setup.add(u.id()); }
        ObjectNode setupJob = job(base + "-setup", cfg.name(), r, claim, setup, false);

        List<String> trial = new ArrayList<>(sweep);
        trial.add("--trial-index");
        trial.add("$(JOB_COMPLETION_INDEX)");   // expanded by the kubelet from the env entry below
        ObjectNode trials = job(base + "-trials", cfg.name(), r, claim, trial, true);
        ObjectNode ts = (ObjectNode) trials.get("spec");
        ts.put("completionMode", "Indexed");
        ts.put("completions", n);
        ts.put("parallelism", Math.min(n, r.parallel()));
        ts.put("backoffLimit", 3 * n);   // a retried index resumes its checkpoint; a finished one is skipped

        List<String> merge = new ArrayList<>(sweep);
        merge.add("--merge");
        ObjectNode mergeJob = job(base + "-merge", cfg.name(), new Resources(1, r.mem(), r.time(), 1, null, r.image(), r.storage(), null),
                claim, merge, false);

        List<Path> files = new ArrayList<>();
        files.add(yaml(to.resolve("pvc.yaml"), pvc));
        files.add(yaml(to.resolve("setup-job.yaml"), setupJob));
        files.add(yaml(to.resolve("trials-job.yaml"), trials));
        files.add(yaml(to.resolve("merge-job.yaml"), mergeJob));
        String wait = "kubectl wait --for=condition=complete --timeout=\"${TIMEOUT:-" + 24 * 3600 + "s}\" job/";
        files.add(SlurmEmitter.write(to.resolve("run.sh"), "#!/usr/bin/env bash\n"
                + "# Runs sweep '" + cfg.name() + "' on the current kubectl context: setup, " + n + " indexed trials (" + ts.get("parallelism")
                + " at once), merge.\n# The volume " + claim + " must hold the repository as " + WORKDIR + " and the data as "
                + MOUNT + "/shared (copy them in first).\n"
                + "set -euo pipefail\nhere=\"$(cd \"$(dirname \"${BASH_SOURCE[0]}\")\" && pwd)\"\n"
                + "kubectl apply -f \"$here/pvc.yaml\"\n"
                + "for j in setup trials merge; do\n"
                + "  kubectl delete --ignore-not-found job/" + base + "-$j   # re-runs skip the units already done\n"
                + "done\n"
                + "kubectl apply -f \"$here/setup-job.yaml\"\n" + wait + base + "-setup\n"
                + "kubectl apply -f \"$here/trials-job.yaml\"\n" + wait + base + "-trials\n"
                + "kubectl apply -f \"$here/merge-job.yaml\"\n" + wait + base + "-merge\n"
                + "echo \"results in the volume, under the config's output directory\"\n"));
        return files;
    }

    private static ObjectNode object(String api, String kind, String name, String sweep) {
        ObjectNode o = YAML.createObjectNode();
        o.put("apiVersion", api);
        o.put("kind", kind);
        ObjectNode m = o.putObject("metadata");
        m.put("name", name);
        labels(m, sweep);
        return o;
    }

    private static void labels(ObjectNode metadata, String sweep) {
        metadata.putObject("labels").put("app.kubernetes.io/name", "headlens").put("headlens.dev/sweep", sweep.toLowerCase(Locale.ROOT)
                .replaceAll("[^a-z0-9._-]", "-"));
    }

    private static ObjectNode job(String name, String sweep, Resources r, String claim, List<String> command, boolean indexed) {
        ObjectNode j = object("batch/v1", "Job", name, sweep);
        ObjectNode spec = j.putObject("spec");
        spec.put("backoffLimit", 3);
        ObjectNode tpl = spec.putObject("template");
        labels(tpl.putObject("metadata"), sweep);
        ObjectNode pod = tpl.putObject("spec");
        pod.put("restartPolicy", "Never");
        ObjectNode c = pod.putArray("containers").addObject();
        c.put("name", indexed ? "trial" : name.substring(name.lastIndexOf('-') + 1));
        c.put("image", r.image());
        c.put("workingDir", WORKDIR);
        c.putArray("command").add(command.get(0));
        ArrayNode args = c.putArray("args");
        command.subList(1, command.size()).forEach(args::add);
        ArrayNode env = c.putArray("env");
        if (indexed) env.addObject().put("name", "JOB_COMPLETION_INDEX").putObject("valueFrom").putObject("fieldRef").put("fieldPath", INDEX_ANNOTATION);
        env.addObject().put("name", "OMP_NUM_THREADS").put("value", String.valueOf(r.cpus()));
        ObjectNode res = c.putObject("resources");
        res.putObject("requests").put("cpu", String.valueOf(r.cpus())).put("memory", r.k8sMemory());
        res.putObject("limits").put("memory", r.k8sMemory());
        c.putArray("volumeMounts").addObject().put("name", "shared").put("mountPath", MOUNT);
        pod.putArray("volumes").addObject().put("name", "shared").putObject("persistentVolumeClaim").put("claimName", claim);
        return j;
    }

    private static Path yaml(Path f, ObjectNode n) {
        try {
            return SlurmEmitter.write(f, YAML.writeValueAsString(n));
        } catch (IOException e) {
            throw new HeadlensException(f + ": " + e.getMessage(), e);
        }
    }
}
