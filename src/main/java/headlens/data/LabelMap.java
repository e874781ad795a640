package headlens.data;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import headlens.core.AtomicFiles;
import headlens.core.HeadlensException;
import headlens.core.Json;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Label &lt;-&gt; id. Stable order: {@code O} first (id 0) when present, then by entity type and label, so B-/I- of one type
 * are adjacent and the same label set always gives the same ids. Serialised as {@code {"labels": [...]}}.
 */
public final class LabelMap {
    public static final String OUTSIDE = "O";
    private static final int MAX_LABELS = 100_000;

    private final List<String> labels;
    private final Map<String, Integer> ids = new HashMap<>();

    @JsonCreator
    public LabelMap(@JsonProperty("labels") List<String> labels) {
        if (labels == null || labels.isEmpty()) throw new HeadlensException("label map: 'labels' is missing or empty");
        if (labels.size() > MAX_LABELS) throw new HeadlensException("label map: more than " + MAX_LABELS + " labels");
        this.labels = List.copyOf(labels);
        for (int i = 0; i < this.labels.size(); i++) {
            String l = this.labels.get(i);
            if (l == null || l.isEmpty()) throw new HeadlensException("label map: label " + i + " is empty");
            if (ids.putIfAbsent(l, i) != null) throw new HeadlensException("label map: label '" + l + "' appears twice");
        }
    }

    /** The labels of these sentences, in the stable order described above. */
    public static LabelMap of(Collection<Sentence> sentences) {
        TreeSet<String> set = new TreeSet<>();
        for (Sentence s : sentences) set.addAll(s.labels());
        return ofLabels(set);
    }

    public static LabelMap ofLabels(Collection<String> labelSet) {
        List<String> sorted = new ArrayList<>(new TreeSet<>(labelSet));
        sorted.sort(Comparator.comparing((String l) -> !l.equals(OUTSIDE)).thenComparing(LabelMap::typeOf)
                .thenComparing(Comparator.naturalOrder()));
        return new LabelMap(sorted);
    }

    /** The entity type of a prefixed label ({@code B-PER -> PER}); the label itself otherwise. */
    static String typeOf(String label) {
        return label.length() > 2 && label.charAt(1) == '-' ? label.substring(2) : label;
    }

    @JsonProperty("labels")
    public List<String> labels() { return labels; }

    public int size() { return labels.size(); }

    public boolean contains(String label) { return ids.containsKey(label); }

    /** The id of a label; throws naming the label when it is unknown. */
    public int id(String label) {
        Integer id = ids.get(label);
        if (id == null) throw new HeadlensException("label '" + label + "' is not in the label map (" + labels.size() + " labels)");
        return id;
    }

    public int idOr(String label, int fallback) { return ids.getOrDefault(label, fallback); }

    public String label(int id) {
        if (id < 0 || id >= labels.size()) throw new IndexOutOfBoundsException("label id " + id + " of " + labels.size());
        return labels.get(id);
    }

    /** Id of {@code O}, or -1 for tag sets without it (POS). */
    public int outsideId() { return idOr(OUTSIDE, -1); }

    public List<String> toLabels(int[] ids) {
        List<String> out = new ArrayList<>(ids.length);
        for (int id : ids) out.add(label(id));
        return out;
    }

    public String toJson() {
        try {
            return Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(this);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static LabelMap fromJson(String json, String where) {
        try {
            return Json.MAPPER.readValue(json, LabelMap.class);
        } catch (IOException e) {
            // the constructor's own validation error arrives wrapped by Jackson
            if (e.getCause() instanceof HeadlensException h) throw new HeadlensException(where + ": " + h.getMessage());
            String msg = e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
            throw new HeadlensException(where + ": not a label map (" + msg + ")");
        }
    }

    /** Writes atomically (temp file + rename). */
    public void write(Path file) {
        try {
            AtomicFiles.writeString(file, toJson());
        } catch (IOException e) {
            throw new HeadlensException(file + ": cannot write label map (" + e.getMessage() + ")", e);
        }
    }

    public static LabelMap read(Path file) {
        try {
            if (Files.size(file) > 16L << 20) throw new HeadlensException(file + ": label map larger than 16 MiB");
            return fromJson(Files.readString(file), file.toString());
        } catch (IOException e) {
            throw new HeadlensException(file + ": cannot read label map (" + e.getMessage() + ")", e);
        }
    }

    @Override
    public boolean equals(Object o) { return o instanceof LabelMap m && m.labels.equals(labels); }

    @Override
    public int hashCode() { return labels.hashCode(); }

    @Override
    public String toString() { return "LabelMap" + labels; }
}
