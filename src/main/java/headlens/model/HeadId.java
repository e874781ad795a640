package headlens.model;

import headlens.core.HeadlensException;

import java.util.ArrayList;
import java.util.List;

/** One attention head by layer and ORIGINAL head index (HuggingFace {@code pruned_heads} numbering), written "layer:head". */
public record HeadId(int layer, int head) implements Comparable<HeadId> {

    public static HeadId parse(String s) {
        String[] p = s.trim().split(":");
        try {
            if (p.length != 2) throw new NumberFormatException();
            HeadId id = new HeadId(Integer.parseInt(p[0].trim()), Integer.parseInt(p[1].trim()));
            if (id.layer < 0 || id.head < 0) throw new NumberFormatException();
            return id;
        } catch (NumberFormatException e) {
            throw new HeadlensException("head '" + s + "' is not of the form LAYER:HEAD with non-negative integers (e.g. 3:7)");
        }
    }

    /** "3:7,5:0" -> heads. */
    public static List<HeadId> parseList(String s) {
        List<HeadId> r = new ArrayList<>();
        for (String part : s.split(",")) if (!part.isBlank()) r.add(parse(part));
        return r;
    }

    @Override
    public int compareTo(HeadId o) {
        return layer != o.layer ? Integer.compare(layer, o.layer) : Integer.compare(head, o.head);
    }

    @Override
    public String toString() { return layer + ":" + head; }
}
