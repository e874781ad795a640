package headlens.data;

import headlens.core.HeadlensException;

import java.util.Locale;

/** Input formats for token-classification data; {@link #AUTO} detects from the file name and content. */
public enum Format {
    AUTO,
    /** CoNLL-U: UPOS (or XPOS) per syntactic word; multiword ranges and empty nodes skipped. */
    CONLLU,
    /** CoNLL-2002/2003 whitespace columns: token first, label in a chosen column (last by default); -DOCSTART- ignored. */
    CONLL,
    /** {@code [xx:]token<TAB>tag}, WikiANN (Rahimi) and XTREME TSVs; a file-wide {@code xx:} prefix is stripped.
     *  One column only = unlabelled tokens. */
    WIKIANN,
    /** xSID conll-like: {@code # text}/{@code # intent} comments, {@code index<TAB>token<TAB>intent<TAB>slot}. */
    XSID,
    /** xSID line-aligned pair: {@code *.text.*} (space-separated tokens) + {@code *.label.*} ({@code tags<TAB>intent}). */
    XSID_PAIR,
    /** MultiATIS++ TSV with header {@code id utterance slot_labels intent}. */
    MULTIATIS;

    /** Parses a CLI name such as {@code conllu}, {@code conll}, {@code wikiann}, {@code xsid}, {@code xsid-pair}, {@code multiatis}. */
    public static Format parse(String name) {
        String n = name.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        if (n.equals("CONLL2002") || n.equals("CONLL2003")) return CONLL;
        if (n.equals("TSV")) return WIKIANN;
        try {
            return valueOf(n);
        } catch (IllegalArgumentException e) {
            throw new HeadlensException("unknown --format '" + name
                    + "' (expected auto, conllu, conll, wikiann, xsid, xsid-pair, multiatis)");
        }
    }
}
