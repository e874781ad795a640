package headlens.eval;

import headlens.core.HeadlensException;
import headlens.data.LabelMap;

import java.util.Locale;

/**
 * The tagging tasks and the one rule that picks their metric: token accuracy for POS, entity micro F1 (conlleval mode)
 * for NER and slots. A tagger whose task is not declared (a model directory without {@code headlens_task}, a sweep
 * without {@code task}) is taken to be NER when some label has a {@code B-} or {@code I-} prefix and POS otherwise.
 */
public enum Task {
    POS, NER, SLOT;

    /** The name in files and options: pos, ner, slot. */
    public String id() { return name().toLowerCase(Locale.ROOT); }

    public Report.Kind metric() { return this == POS ? Report.Kind.TOKEN_ACCURACY : Report.Kind.ENTITY_F1; }

    /** The metric's name in logs and metrics files: accuracy or f1. */
    public String metricName() { return this == POS ? "accuracy" : "f1"; }

    /** Whether predictions decode into entity spans (NER, slots). */
    public boolean hasEntities() { return this != POS; }

    /** A task by its {@link #id()}; {@code where} names the file or option in the error. */
    public static Task parse(String id, String where) {
        for (Task t : values()) if (t.id().equals(id)) return t;
        throw new HeadlensException(where + ": task must be pos, ner or slot, not '" + id + "'");
    }

    /** The declared task, or the task its labels suggest when none is declared (see the class comment). */
    public static Task of(String declared, LabelMap labels, String where) {
        return declared != null ? parse(declared, where) : inferred(labels);
    }

    /** NER when some label carries a B-/I- prefix, POS otherwise. */
    public static Task inferred(LabelMap labels) {
        for (String l : labels.labels()) if (l.startsWith("B-") || l.startsWith("I-")) return NER;
        return POS;
    }

    /** The headline number of a report of this rule: accuracy or entity micro F1. */
    public static double score(Report r) {
        return r.kind() == Report.Kind.TOKEN_ACCURACY ? r.overall().tokens().accuracy() : r.overall().entities().micro().f1();
    }
}
