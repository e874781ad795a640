/**
 * The experiment runner: the paper's pruning trials from a YAML file ({@link headlens.sweep.SweepConfig}), cut into the
 * units of a {@link headlens.sweep.SweepPlan} (fine-tune k = 0, rank the heads, one fine-tune per masked set, Michel's
 * iterative pruning), run and merged by {@link headlens.sweep.Sweep} (each unit under an OS lock, its result file the
 * commit point), tabulated by {@link headlens.sweep.SweepReport}, and sent to a cluster one unit per task by {@link
 * headlens.sweep.SlurmEmitter} and {@link headlens.sweep.K8sEmitter} ({@link headlens.sweep.Resources} per unit).
 * Trials predict and score through {@link headlens.tagger.Tagger}; head concepts come from {@code headlens.heads}.
 */
package headlens.sweep;
