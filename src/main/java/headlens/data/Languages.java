package headlens.data;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Infers a sentence language from where the file lives: {@code .../<task>/<lang>/...} or a MultiATIS {@code _XX.tsv} name. */
public final class Languages {
    public static final String UNKNOWN = "und";
    private static final Set<String> TASK_DIRS = Set.of("pos", "ner", "slot", "slots");
    private static final Pattern LANG = Pattern.compile("[a-z]{2,3}(-[a-z]{2,4})?");
    private static final Pattern ATIS_NAME = Pattern.compile(".*_([A-Za-z]{2})\\.tsv");

    private Languages() {}

    /** The language for a file, or {@link #UNKNOWN}. */
    public static String fromPath(Path file) {
        Path abs = file.toAbsolutePath().normalize();
        for (int i = abs.getNameCount() - 2; i >= 1; i--) {
            String dir = abs.getName(i).toString();
            String parent = abs.getName(i - 1).toString();
            if (TASK_DIRS.contains(parent.toLowerCase(Locale.ROOT)) && LANG.matcher(dir).matches()) return dir;
        }
        Matcher m = ATIS_NAME.matcher(abs.getFileName().toString());
        if (m.matches()) return m.group(1).toLowerCase(Locale.ROOT);
        return UNKNOWN;
    }
}
