package headlens.tokenize;

import com.google.protobuf.CodedOutputStream;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Paths that tie in exact arithmetic, on hand-built vocabularies where SentencePiece's and HuggingFace's arithmetic pick
 * different ones. The expected segmentations are derived by hand below from the two sources (sentencepiece 0.1.97
 * {@code unigram_model.cc} {@code EncodeOptimized}; tokenizers {@code models/unigram/model.rs} {@code encode_optimized})
 * and were also confirmed with the reference programs when this test was written: {@code spm_encode} (Debian
 * sentencepiece 0.1.97) on the {@code .model} files {@link #spmModel} writes, npm {@code tokenizers} 0.23.2 on the JSON.
 * E = 2^-23 (one float ulp at 1), D = 2^-52 (one double ulp at 1).
 */
class UnigramTiesTest {
    static final double E = 0x1p-23, D = 0x1p-52;

    /**
     * Vocabulary "0" = -1, "00" = -(1+3E), text "000", both paths "0"+"00" and "00"+"0" sum to -(2+3E).
     * SentencePiece: best[1] = -1, best[2] = -(1+3E) ("00"; "0"+"0" = -2 is worse). At start 1, "00" gives the double
     * -(2+3E), stored as a float: halfway between 2+2E (odd) and 2+4E (even), so -(2+4E). At start 2, "0" gives the
     * double -(2+3E) > -(2+4E): it replaces, "00"+"0". HuggingFace: both candidates are the double -(2+3E), equal, the
     * first stays: "0"+"00".
     */
    @Test
    void floatStoredSumDecidesSentencePieceTieWhereF64KeepsTheFirst() {
        String[] pieces = {"<unk>", "0", "00"};
        double[] scores = {0, -1, (float) -(1 + 3 * E)};
        assertEquals(List.of("00", "0"), pieces(spm(pieces, scores), "000"));
        assertEquals(List.of("0", "00"), pieces(hf(pieces, scores), "000"));
    }

    /**
     * "00" = -(1+E): the sum -(2+E) is halfway between 2 (even) and 2+2E, so it is stored as -2, and the later candidate
     * -(2+E) is not greater: SentencePiece keeps "0"+"00" too. The rounding direction decides, not a preference.
     */
    @Test
    void sumRoundedTowardZeroKeepsTheFirstInBoth() {
        String[] pieces = {"<unk>", "0", "00"};
        double[] scores = {0, -1, (float) -(1 + E)};
        assertEquals(List.of("0", "00"), pieces(spm(pieces, scores), "000"));
        assertEquals(List.of("0", "00"), pieces(hf(pieces, scores), "000"));
    }

    /**
     * HuggingFace in f64: "x" = -1, "0" = -(1+2D), "00" = -(1+D), text "x000"; "x"+"0"+"00" and "x"+"00"+"0" both sum
     * to -(3+3D). best[2] = -(2+2D) (exact); best[3] = -1 + "00" = -(2+D), halfway, rounded to even: -2. At end 4, from
     * start 2 "00": -(2+2D) - (1+D) = -(3+3D), halfway between 3+2D (odd) and 3+4D (even): -(3+4D); from start 3 "0":
     * -2 - (1+2D) = -(3+2D) exactly, greater: "x"+"00"+"0". (Exact arithmetic would keep the first, "x"+"0"+"00".)
     */
    @Test
    void f64RoundingDecidesHuggingFaceTie() {
        String[] pieces = {"<unk>", "x", "0", "00"};
        double[] scores = {0, -1, -(1 + 2 * D), -(1 + D)};
        assertEquals(List.of("x", "00", "0"), pieces(hf(pieces, scores), "x000"));
        String json = unigramJson(pieces, scores, "null");
        assertEquals(List.of("x", "00", "0"), List.of(Tokenizers.fromJson(json, "tie64.json").encode("x000").tokens()));
    }

    /**
     * A {@code .model} is one lattice over the whole normalized text "▁x▁000" (SentencePiece does not split into words),
     * and the stored float sums carry what came before. "▁x" = -2, "▁" = -1, "0" = -(1+2E), "00" = -(1+E).
     * best[2] = -2 ("▁x"), best[3] = -3 ("▁"). Start 3: "0" → -(4+2E), halfway between 4 (even) and 4+4E: stored -4;
     * "00" → -(4+E), stored -4. Start 4 (best -4): "0" → -(5+2E), not > -4; "00" → -(5+E), stored -5. Start 5 (best -4):
     * "0" → -(5+2E), not > -5: "▁x ▁ 0 00". The word "▁000" alone starts from -1 instead: "▁ 00 0", which is what a
     * per-word lattice would also give inside "x 000". HuggingFace's tokenizer.json with the same vocabulary and a
     * Metaspace pre-tokenizer gives "▁ 0 00" for "000" (f64 sums exact, the first stays).
     */
    @Test
    void sentencePieceModelIsOneLatticeOverTheWholeText() throws IOException {
        float a = (float) -(1 + 2 * E), b = (float) -(1 + E);
        byte[] model = spmModel(List.of(new Piece("<unk>", 0, SentencePieceModel.UNKNOWN),
                new Piece("<s>", 0, SentencePieceModel.CONTROL), new Piece("</s>", 0, SentencePieceModel.CONTROL),
                new Piece("▁x", -2, SentencePieceModel.NORMAL), new Piece("▁", -1, SentencePieceModel.NORMAL),
                new Piece("0", a, SentencePieceModel.NORMAL), new Piece("00", b, SentencePieceModel.NORMAL)));
        Tokenizer spm = Tokenizers.fromSentencePiece(model, "tie.model", null);
        assertEquals(List.of("▁x", "▁", "0", "00"), List.of(spm.encode("x 000").tokens()));
        assertEquals(List.of(3, 4, 5, 6), ids(spm.encode("x 000")));
        assertEquals(List.of("▁", "00", "0"), List.of(spm.encode("000").tokens()));

        String json = unigramJson(new String[] {"<unk>", "▁x", "▁", "0", "00"}, new double[] {0, -2, -1, a, b},
                "{\"type\":\"Metaspace\",\"replacement\":\"▁\",\"prepend_scheme\":\"always\",\"split\":true}");
        Tokenizer hf = Tokenizers.fromJson(json, "tie.json");
        assertEquals(List.of("▁x", "▁", "0", "00"), List.of(hf.encode("x 000").tokens()));
        assertEquals(List.of("▁", "0", "00"), List.of(hf.encode("000").tokens()));
    }

    /**
     * A user-defined piece scores {@code length * max_score_ - 0.1} with {@code max_score_} starting at FLT_MIN, so with
     * all normal scores negative "ab" scores about -0.1 and beats "a"+"b" = -1 (spm_encode: "▁ ab ab ▁ b"). Starting the
     * maximum at the largest normal score (-0.5) would give 2·(-0.5) - 0.1 = -1.1 and split it.
     */
    @Test
    void userDefinedPieceUsesFltMinAsTheMaximumScoreFloor() throws IOException {
        byte[] model = spmModel(List.of(new Piece("<unk>", 0, SentencePieceModel.UNKNOWN),
                new Piece("<s>", 0, SentencePieceModel.CONTROL), new Piece("</s>", 0, SentencePieceModel.CONTROL),
                new Piece("▁", -0.5f, SentencePieceModel.NORMAL), new Piece("a", -0.5f, SentencePieceModel.NORMAL),
                new Piece("b", -0.5f, SentencePieceModel.NORMAL), new Piece("ab", 0, SentencePieceModel.USER_DEFINED)));
        Tokenizer spm = Tokenizers.fromSentencePiece(model, "ud.model", null);
        assertEquals(List.of("▁", "ab", "ab", "▁", "b"), List.of(spm.encode("abab b").tokens()));
        assertEquals(List.of(3, 6, 6, 3, 5), ids(spm.encode("abab b")));
    }

    // ------------------------------------------------------------------ helpers

    private static Unigram spm(String[] pieces, double[] scores) {
        boolean[] matchable = new boolean[pieces.length];
        for (int i = 1; i < pieces.length; i++) matchable[i] = true; // id 0 is the unknown piece
        return new Unigram(pieces, scores, 0, false, new Unigram.SpmRules(matchable, new boolean[pieces.length], Float.MIN_NORMAL), "test");
    }

    private static Unigram hf(String[] pieces, double[] scores) {
        return new Unigram(pieces, scores, 0, false, null, "test");
    }

    private static List<String> pieces(Unigram u, String text) {
        List<String> out = new ArrayList<>();
        u.tokenize(NormalizedString.of(text, 0, text.length()), 0, text.length(), (id, token, from, to) -> out.add(token));
        return out;
    }

    private static List<Integer> ids(Encoding e) {
        List<Integer> out = new ArrayList<>();
        for (int id : e.ids()) out.add(id);
        return out;
    }

    private static String unigramJson(String[] pieces, double[] scores, String preTokenizer) {
        StringBuilder v = new StringBuilder();
        for (int i = 0; i < pieces.length; i++) v.append(i == 0 ? "" : ",").append("[\"").append(pieces[i]).append("\",").append(scores[i]).append(']');
        return "{\"version\":\"1.0\",\"added_tokens\":[],\"normalizer\":null,\"pre_tokenizer\":" + preTokenizer
                + ",\"post_processor\":null,\"decoder\":null,\"model\":{\"type\":\"Unigram\",\"unk_id\":0,\"vocab\":[" + v
                + "],\"byte_fallback\":false}}";
    }

    record Piece(String piece, float score, int type) {}

    /** A minimal ModelProto: pieces, trainer_spec.model_type = UNIGRAM, normalizer_spec "identity" with the default flags. */
    static byte[] spmModel(List<Piece> pieces) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(buf);
        for (Piece p : pieces) {
            ByteArrayOutputStream pb = new ByteArrayOutputStream();
            CodedOutputStream po = CodedOutputStream.newInstance(pb);
            po.writeString(1, p.piece());
            po.writeFloat(2, p.score());
            po.writeEnum(3, p.type());
            po.flush();
            out.writeByteArray(1, pb.toByteArray());
        }
        ByteArrayOutputStream tb = new ByteArrayOutputStream();
        CodedOutputStream to = CodedOutputStream.newInstance(tb);
        to.writeEnum(3, SentencePieceModel.UNIGRAM);
        to.flush();
        out.writeByteArray(2, tb.toByteArray());
        ByteArrayOutputStream nb = new ByteArrayOutputStream();
        CodedOutputStream no = CodedOutputStream.newInstance(nb);
        no.writeString(1, "identity");
        no.writeBool(3, true);
        no.writeBool(4, true);
        no.writeBool(5, true);
        no.flush();
        out.writeByteArray(3, nb.toByteArray());
        out.flush();
        return buf.toByteArray();
    }
}
