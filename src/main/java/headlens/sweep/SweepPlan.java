package headlens.sweep;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import headlens.core.HeadlensException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A sweep's units of work in the order a single machine runs them. The setup units ({@code base-k00}: the unpruned
 * fine-tune; {@code heads}: the ranking on source dev) come first; every other unit needs only them, so those are
 * numbered 0..N-1 ({@link Unit#index}) for job arrays ({@code --trial-index}). Each unit is done when its result file
 * exists: it is written last, by an atomic rename, so a killed unit leaves nothing that counts.
 */
public record SweepPlan(List<Unit> units) {
    public static final String BASE = "base-k00", HEADS = "heads", ITERATIVE = "iterative";

    public enum Kind { BASE, RANKING, TRIAL, ITERATIVE }

    /**
     * @param masking train+eval or train-only for the trials (k = 0: train+eval, the baseline of both), null otherwise
     * @param index  position among the parallel units, or -1 for a setup unit
     * @param result the unit's result file, relative to the config's {@code output}
     */
    public record Unit(String id, Kind kind, String order, int k, String masking, int index, List<String> dependsOn, String result, String runs) {
        public boolean setup() { return index < 0; }

        public Path file(Path output) { return output.resolve(result); }

        public ObjectNode toJson() {
            ObjectNode n = Sweep.JSON.createObjectNode();
            n.put("id", id);
            n.put("kind", kind.name().toLowerCase(Locale.ROOT));
            if (index >= 0) n.put("index", index); else n.putNull("index");
            if (kind == Kind.TRIAL) {
                n.put("order", order);
                n.put("k", k);
                n.put("masking", masking);
            }
            n.put("runs", runs);
            ArrayNode deps = n.putArray("depends_on");
            dependsOn.forEach(deps::add);
            n.put("result", result);
            return n;
        }
    }

    public static SweepPlan of(SweepConfig cfg) {
        return of(cfg, false);
    }

    /**
     * @param replicate a seed replicate ({@link Sweep#replicate}): no ranking unit of its own, its trials mask the heads
     *                  its grid's heads.json ranks (so they depend on no unit of this plan)
     */
    public static SweepPlan of(SweepConfig cfg, boolean replicate) {
        List<Unit> u = new ArrayList<>();
        u.add(new Unit(BASE, Kind.BASE, "none", 0, SweepConfig.TRAIN_EVAL, -1, List.of(), "trials/" + BASE + ".json",
                "fine-tune the pretrained encoder on the source data (k = 0; saved to work/base for the ranking)"));
        if (!replicate)
            u.add(new Unit(HEADS, Kind.RANKING, null, 0, null, -1, List.of(BASE), "heads.json",
                    "rank the heads of the k = 0 tagger by " + cfg.method() + " importance on source dev"
                            + (cfg.perTarget() ? " (and every target's dev)" : "")));
        List<String> trialDeps = replicate ? List.of() : List.of(HEADS);
        int i = 0;
        if (cfg.mode().equals("trials") || cfg.mode().equals("both"))
            for (String masking : cfg.masking())
                for (String order : cfg.orders())
                    for (int k : cfg.ks(order)) {
                        boolean trainOnly = masking.equals(SweepConfig.TRAIN_ONLY);
                        String id = trialId(order, k, masking);
                        u.add(new Unit(id, Kind.TRIAL, order, k, masking, i++, trialDeps,
                                "trials/" + (trainOnly ? "train-only/" : "") + trialId(order, k, SweepConfig.TRAIN_EVAL) + ".json",
                                "fine-tune from the pretrained weights with the " + k + " " + order + (order.equals("random") ? "" : "-ranked")
                                        + " head" + (k == 1 ? "" : "s") + " masked; score every target"
                                        + (trainOnly ? " with every head active (masked at training only)" : "")
                                        + (replicate ? " (heads ranked by the grid's heads.json)" : "")));
                    }
        if (cfg.mode().equals("iterative") || cfg.mode().equals("both"))
            u.add(new Unit(ITERATIVE, Kind.ITERATIVE, null, 0, null, i, List.of(BASE), "iterative.json",
                    "Michel's iterative pruning of the k = 0 tagger, " + Math.round(100 * cfg.fraction()) + "% of the heads per round"));
        return new SweepPlan(List.copyOf(u));
    }

    /**
     * ORDER-kNN, and ORDER-kNN-train-only for the masked-at-training-only variant (its result under trials/train-only/, so
     * readers of trials/*.json see the train+eval trials only, as before the variant existed).
     */
    static String trialId(String order, int k, String masking) {
        return k == 0 ? BASE : String.format(Locale.ROOT, "%s-k%02d", order, k) + (masking.equals(SweepConfig.TRAIN_ONLY) ? "-train-only" : "");
    }

    /** The units of a job array: all but the setup. */
    public List<Unit> parallel() {
        return units.stream().filter(x -> !x.setup()).toList();
    }

    public List<Unit> setupUnits() {
        return units.stream().filter(Unit::setup).toList();
    }

    public Unit byId(String id) {
        for (Unit x : units) if (x.id().equals(id)) return x;
        throw new HeadlensException("sweep: no unit '" + id + "' in the plan (see --plan); units: "
                + units.stream().map(Unit::id).toList());
    }

    public Unit byIndex(int index) {
        List<Unit> p = parallel();
        if (index < 0 || index >= p.size())
            throw new HeadlensException("sweep: --trial-index " + index + " is outside 0.." + (p.size() - 1) + " (see --plan)");
        return p.get(index);
    }
}
