package headlens.train;

/**
 * HuggingFace's {@code get_linear_schedule_with_warmup}: the learning rate rises linearly from 0 to {@code peak}
 * over {@code warmupSteps}, then falls linearly to 0 at {@code totalSteps}. Step numbers count from 0 (the first update).
 */
public record LinearSchedule(double peak, long warmupSteps, long totalSteps) {

    public LinearSchedule {
        if (totalSteps <= 0 || warmupSteps < 0 || peak < 0)
            throw new IllegalArgumentException("schedule: peak " + peak + ", warmup " + warmupSteps + ", total " + totalSteps);
    }

    /** The learning rate of update number {@code step} (0-based), as torch's LambdaLR gives it. */
    public double lr(long step) {
        if (step < warmupSteps) return peak * (double) step / Math.max(1, warmupSteps);
        return peak * Math.max(0.0, (double) (totalSteps - step) / Math.max(1, totalSteps - warmupSteps));
    }
}
