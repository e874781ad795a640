package headlens.sweep;

import headlens.core.AtomicFiles;
import headlens.core.HeadlensException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code --emit slurm}: {@code setup.sbatch} (the unpruned fine-tune and the ranking), {@code trials.sbatch} (one
 * array task per parallel unit, {@code --trial-index $SLURM_ARRAY_TASK_ID}), {@code merge.sbatch}, and
 * {@code submit.sh}, which asks {@code --status} what is not done yet and submits only that, chained with
 * {@code --dependency=afterok}. Slurm does the scheduling; headlens only makes each unit idempotent.
 */
public final class SlurmEmitter {
    private SlurmEmitter() {}

    /**
     * @param seed     a seed replicate's seed (--seed), or null
     * @param workDir  the directory the jobs run in (the config's relative paths are resolved against it)
     * @param launcher the headlens launcher as the compute nodes see it
     */
    public static List<Path> write(SweepConfig cfg, Path config, Long seed, SweepPlan plan, Resources r, Path to, Path workDir, String launcher) {
        int n = plan.parallel().size();
        if (n == 0) throw new HeadlensException("sweep " + cfg.name() + ": the plan has no trials to run as an array");
        Path logs = to.toAbsolutePath().resolve("logs");
        String cd = "cd " + q(workDir.toAbsolutePath().toString()) + "\n";
        String head = "set -euo pipefail\n" + cd
                + "# one thread per allotted CPU: ND4J's OpenMP pool follows OMP_NUM_THREADS\n"
                + "export OMP_NUM_THREADS=\"${SLURM_CPUS_PER_TASK:-" + r.cpus() + "}\"\n"
                + "headlens=\"${HEADLENS:-" + launcher.replace("\"", "") + "}\"\n";
        String sweep = "\"$headlens\" sweep --config " + q(config.toString()) + (seed == null ? "" : " --seed " + seed);
        List<String> setupIds = plan.setupUnits().stream().map(SweepPlan.Unit::id).toList();
        StringBuilder setupArgs = new StringBuilder();
        for (String id : setupIds) setupArgs.append(" --trial ").append(id);

        List<Path> files = new ArrayList<>();
        files.add(write(to.resolve("setup.sbatch"), sbatchHeader(cfg.name() + "-setup", r, logs.resolve("%x-%j.out"))
                + head + "exec " + sweep + setupArgs + "\n"));
        files.add(write(to.resolve("trials.sbatch"), sbatchHeader(cfg.name() + "-trials", r, logs.resolve("%x-%A_%a.out"))
                + "# submitted by submit.sh with --array=INDICES%" + r.parallel() + " (0.." + (n - 1) + ": see headlens sweep --plan)\n"
                + head + "exec " + sweep + " --trial-index \"$SLURM_ARRAY_TASK_ID\"\n"));
        files.add(write(to.resolve("merge.sbatch"), sbatchHeader(cfg.name() + "-merge", new Resources(1, r.mem(), r.time(), 1,
                r.partition(), r.image(), r.storage(), r.storageClass()), logs.resolve("%x-%j.out")) + head + "exec " + sweep + " --merge\n"));
        String submit = "#!/usr/bin/env bash\n"
                + "# Submits sweep '" + cfg.name() + "' (" + plan.units().size() + " units; the array covers trial indices 0.." + (n - 1) + ").\n"
                + "# Run it again after failures or cancelled tasks: it submits only the units that are not done. Prints the job ids.\n"
                + "set -euo pipefail\n"
                + "here=" + q(to.toAbsolutePath().toString()) + "\n"
                + "sbatch=\"${SBATCH:-sbatch}\"\n"
                + "mkdir -p " + q(logs.toString()) + "\n"
                + cd
                + "headlens=\"${HEADLENS:-" + launcher.replace("\"", "") + "}\"\n"
                + "# '0 1 2 4 5' -> '0-2,4-5'\n"
                + "ranges() { awk 'NR==1{s=$1;p=$1;next} $1==p+1{p=$1;next} {o=o (o==\"\"?\"\":\",\") (s==p?s:s\"-\"p); s=$1;p=$1}"
                + " END{if(NR){o=o (o==\"\"?\"\":\",\") (s==p?s:s\"-\"p); print o}}'; }\n"
                + "status=$(" + sweep + " --status) || true   # exits 1 while units are missing\n"
                + "[[ -n \"$status\" ]] || { echo \"submit.sh: '$headlens sweep --status' printed nothing\" >&2; exit 2; }\n"
                + "setup_todo=$(awk -F'\\t' '$3 == \"-\" && $1 != \"done\"' <<<\"$status\" | wc -l)\n"
                + "todo=$(awk -F'\\t' '$3 != \"-\" && $1 != \"done\" {print $3}' <<<\"$status\" | ranges)\n"
                + "after=\"\"\n"
                + "if (( setup_todo > 0 )); then\n"
                + "  id=$(\"$sbatch\" --parsable \"$here/setup.sbatch\"); id=${id%%;*}\n"
                + "  echo \"setup job $id\"\n"
                + "  after=\"--dependency=afterok:$id\"\n"
                + "fi\n"
                + "if [[ -n \"$todo\" ]]; then\n"
                + "  id=$(\"$sbatch\" --parsable $after --array=\"$todo%" + r.parallel() + "\" \"$here/trials.sbatch\"); id=${id%%;*}\n"
                + "  echo \"trial array job $id (tasks $todo, at most " + r.parallel() + " at once)\"\n"
                + "  after=\"--dependency=afterok:$id\"\n"
                + "fi\n"
                + "id=$(\"$sbatch\" --parsable $after \"$here/merge.sbatch\"); id=${id%%;*}\n"
                + "echo \"merge job $id\"\n";
        Path s = write(to.resolve("submit.sh"), submit);
        try {
            Files.setPosixFilePermissions(s, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (IOException | UnsupportedOperationException e) {
            // run it with bash then
        }
        files.add(s);
        return files;
    }

    private static String sbatchHeader(String job, Resources r, Path log) {
        return "#!/usr/bin/env bash\n"
                + "#SBATCH --job-name=" + job + "\n"
                + "#SBATCH --cpus-per-task=" + r.cpus() + "\n"
                + "#SBATCH --mem=" + r.mem() + "\n"
                + "#SBATCH --time=" + r.time() + "\n"
                + "#SBATCH --kill-on-invalid-dep=yes\n"   // a failed setup cancels what waits for it (re-submit then)
                + (r.partition() == null ? "" : "#SBATCH --partition=" + r.partition() + "\n")
                + "#SBATCH --output=" + log.toString().replace(" ", "\\ ") + "\n";
    }

    /** A single-quoted shell word. */
    static String q(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    static Path write(Path f, String text) {
        try {
            AtomicFiles.writeString(f, text);
            return f;
        } catch (IOException e) {
            throw new HeadlensException(f + ": cannot write: " + e.getMessage(), e);
        }
    }
}
