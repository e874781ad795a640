package headlens.sweep;

import headlens.core.HeadlensException;

import java.util.Locale;

/**
 * What one unit of a sweep asks a cluster for: the config's {@code cluster:} keys, overridden by command-line flags,
 * else defaults sized from a measured MiniLM trial (README, "Sweeps on a cluster"). Values end up in generated
 * scripts and manifests, so each is checked against a strict pattern.
 *
 * @param mem Slurm units (K, M, G, T; a bare number is MB)
 */
public record Resources(int cpus, String mem, String time, int parallel, String partition, String image, String storage,
                        String storageClass) {
    public static final int CPUS = 2, PARALLEL = 4;
    public static final String MEM = "6G", TIME = "01:00:00", IMAGE = "headlens:0.1.0", STORAGE = "20Gi";

    public Resources {
        if (cpus < 1 || cpus > 1024) throw new HeadlensException("cluster: cpus_per_task must be 1..1024, not " + cpus);
        if (parallel < 1) throw new HeadlensException("cluster: parallel must be >= 1, not " + parallel);
        check("mem", mem, "[0-9]+[KMGT]?");
        check("time", time, "([0-9]+-)?[0-9]+(:[0-9]{2}){0,2}");
        if (partition != null) check("partition", partition, "[A-Za-z0-9_.,-]+");
        check("image", image, "[A-Za-z0-9._/:@-]+");
        check("storage", storage, "[0-9]+(Ki|Mi|Gi|Ti|K|M|G|T)?");
        if (storageClass != null) check("storage_class", storageClass, "[a-z0-9.-]+");
    }

    private static void check(String key, String v, String re) {
        if (v == null || !v.matches(re)) throw new HeadlensException("cluster: " + key + " '" + v + "' does not match " + re);
    }

    /** The config's values with the non-null overrides applied. */
    public static Resources of(SweepConfig.Cluster c, Integer cpus, String mem, String time, Integer parallel, String partition, String image) {
        return new Resources(
                first(cpus, c.cpusPerTask(), CPUS),
                first(mem, c.mem(), MEM).toUpperCase(Locale.ROOT),
                first(time, c.time(), TIME),
                first(parallel, c.parallel(), PARALLEL),
                first(partition, c.partition(), null),
                first(image, c.image(), IMAGE),
                first(null, c.storage(), STORAGE),
                first(null, c.storageClass(), null));
    }

    @SafeVarargs
    private static <T> T first(T... v) {
        for (T x : v) if (x != null) return x;
        return null;
    }

    /** The memory as a Kubernetes quantity (Slurm's G is GiB). */
    public String k8sMemory() {
        char u = mem.charAt(mem.length() - 1);
        return Character.isDigit(u) ? mem + "Mi" : mem.substring(0, mem.length() - 1) + u + "i";
    }
}
