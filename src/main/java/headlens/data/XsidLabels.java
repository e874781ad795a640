package headlens.data;

import java.util.Map;

/** xSID's label fixes of release 0.6 ({@code scripts/fix_labels_06.py}), applied to every xSID file read. */
final class XsidLabels {
    static final Map<String, String> SLOT_FIXES = Map.of(
            "Orecurring_datetime", "O",
            "B-ecurring_datetime", "B-recurring_datetime",
            "I-ecurring_datetime", "I-recurring_datetime",
            "I-dateime", "I-datetime",
            "I-locatioin", "I-location");

    private XsidLabels() {}

    static String fix(String label) { return SLOT_FIXES.getOrDefault(label, label); }
}
