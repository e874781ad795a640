package headlens.data;

import java.util.ArrayList;
import java.util.List;

/**
 * Rows a reader skipped (token/label count mismatch, empty rows), never silently.
 *
 * @param count     how many rows were skipped
 * @param locations the first few, as {@code file:line: reason}
 */
public record SkipReport(int count, List<String> locations) {
    static final int MAX_LOCATIONS = 5;

    public SkipReport { locations = List.copyOf(locations); }

    public static SkipReport none() { return new SkipReport(0, List.of()); }

    @Override
    public String toString() {
        if (count == 0) return "0 rows skipped";
        return count + " rows skipped, e.g. " + String.join("; ", locations);
    }

    /** Collects skipped rows while reading. */
    static final class Log {
        private int count;
        private final List<String> locations = new ArrayList<>();

        void skip(String location, String reason) {
            count++;
            if (locations.size() < MAX_LOCATIONS) locations.add(location + ": " + reason);
        }

        SkipReport report() { return new SkipReport(count, locations); }
    }
}
