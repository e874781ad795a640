package headlens.cli;

import headlens.convert.ModelFiles;
import headlens.core.HeadlensException;
import headlens.heads.HeadPruner;
import headlens.heads.HeadScores;
import headlens.heads.ImportanceReport;
import headlens.model.HeadId;
import headlens.model.HeadLayout;
import headlens.model.HeadMask;
import headlens.model.ModelSource;
import headlens.tagger.ModelDir;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;

/** {@code headlens prune}: mask heads (gates 0, stored as head_mask.json) or remove them physically (HF pruned_heads). */
@Command(name = "prune", mixinStandardHelpOptions = true,
        description = "Prune attention heads: the K least important of a heads file, or an explicit list. Mask mode keeps the "
                + "weights and writes head_mask.json; physical mode removes the heads' weights and records pruned_heads in config.json.")
public final class PruneCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "Model directory (RUN_DIR or encoder).")
    Path model;
    @Option(names = "--heads", description = "heads.json from 'headlens importance' (with --count).")
    Path heads;
    @Option(names = "--count", defaultValue = "-1", description = "How many heads to prune, taken from the ranking.")
    int count;
    @Option(names = "--order", defaultValue = "lowest", description = "With --count: lowest (least important, default), highest, or random.")
    String order;
    @Option(names = "--seed", defaultValue = "42", description = "Seed for --order random.")
    long seed;
    @Option(names = "--prune", description = "Explicit heads LAYER:HEAD,... (original indices), instead of --heads/--count.")
    String prune;
    @Option(names = "--mode", defaultValue = "mask", description = "mask (default) or physical.")
    String mode;
    @Option(names = "--output", required = true, description = "Output model directory.")
    Path output;

    @Override
    public Integer call() {
        if (!mode.equals("mask") && !mode.equals("physical")) throw new HeadlensException("--mode must be mask or physical, got '" + mode + "'");
        if ((prune == null) == (heads == null)) throw new HeadlensException("give either --heads FILE --count K or --prune LAYER:HEAD,...");
        if (output.toAbsolutePath().normalize().equals(model.toAbsolutePath().normalize()))
            throw new HeadlensException("--output must differ from --model");
        ModelSource src = ModelSource.load(model);
        HeadMask mask = HeadMask.read(model, src.config());
        List<HeadId> chosen;
        if (prune != null) {
            chosen = HeadId.parseList(prune);
            if (chosen.isEmpty()) throw new HeadlensException("--prune lists no heads");
            for (HeadId id : chosen) HeadLayout.check(src.config(), id);
        } else {
            if (count < 0) throw new HeadlensException("--heads needs --count K (K >= 0)");
            ImportanceReport rep = ImportanceReport.read(heads);
            rep.checkFits(src.config(), heads);
            HeadScores ranking = withoutGone(rep.aggregate(), src, mask);
            HeadScores.Order o = switch (order) {
                case "lowest" -> HeadScores.Order.LOWEST;
                case "highest" -> HeadScores.Order.HIGHEST;
                case "random" -> HeadScores.Order.RANDOM;
                default -> throw new HeadlensException("--order must be lowest, highest or random, got '" + order + "'");
            };
            chosen = ranking.select(count, o, seed);
        }
        Set<HeadId> gone = new HashSet<>();
        for (HeadId id : chosen) if (HeadLayout.column(src.config(), id) < 0) gone.add(id);
        if (!gone.isEmpty()) System.err.println("note: already physically pruned, skipped: " + gone);
        if (mode.equals("mask")) {
            HeadMask m = mask.plus(chosen.stream().filter(id -> !gone.contains(id)).toList());
            ModelDir.write(output, src.config(), src.weights(), ModelFiles.tokenizerFiles(model), m);
            System.err.printf(Locale.ROOT, "masked %d heads (%d in total) -> %s/%s%n", chosen.size() - gone.size(), m.masked().size(), output, HeadMask.FILE);
        } else {
            HeadPruner.Pruned p = HeadPruner.prune(src.config(), src.weights(), chosen);
            Set<HeadId> keep = new HashSet<>(mask.masked());
            chosen.forEach(keep::remove);
            ModelDir.write(output, p.config(), p.weights(), ModelFiles.tokenizerFiles(model), new HeadMask(keep));
            long before = size(model), after = size(output);
            System.err.printf(Locale.ROOT, "removed %d heads; pruned_heads %s; model.safetensors %d -> %d bytes; FLOPs/token at T=128: %.3g -> %.3g%n",
                    chosen.size() - gone.size(), p.config().prunedHeads(), before, after,
                    HeadPruner.flopsPerToken(src.config(), 128), HeadPruner.flopsPerToken(p.config(), 128));
        }
        return 0;
    }

    /** The ranking without heads that are already gone (physically pruned are NaN already; masked ones too). */
    static HeadScores withoutGone(HeadScores s, ModelSource src, HeadMask mask) {
        double[][] raw = new double[s.layers()][];
        double[][] n = new double[s.layers()][];
        for (int l = 0; l < s.layers(); l++) {
            raw[l] = s.raw()[l].clone();
            n[l] = s.normalized()[l].clone();
            for (int h = 0; h < s.heads(); h++) {
                HeadId id = new HeadId(l, h);
                if (HeadLayout.column(src.config(), id) < 0 || mask.masked().contains(id)) { raw[l][h] = Double.NaN; n[l][h] = Double.NaN; }
            }
        }
        return new HeadScores(s.name(), raw, n, s.tokens());
    }

    private static long size(Path dir) {
        try {
            return Files.size(dir.resolve(ModelFiles.WEIGHTS));
        } catch (java.io.IOException e) {
            return -1;
        }
    }
}
