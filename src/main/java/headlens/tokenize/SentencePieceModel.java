package headlens.tokenize;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The fields headlens reads from a SentencePiece {@code ModelProto} ({@code .model} file), parsed field by field with
 * protobuf's {@link CodedInputStream} (no generated classes; unknown fields skipped, sizes bounded by the file).
 */
public record SentencePieceModel(List<String> pieces, float[] scores, int[] types, int modelType, boolean byteFallback,
                          int unkId, int bosId, int eosId, int padId, String normalizerName, byte[] charsmap,
                          boolean addDummyPrefix, boolean removeExtraWhitespaces, boolean escapeWhitespaces,
                          boolean treatWhitespaceAsSuffix) {
    public static final int NORMAL = 1, UNKNOWN = 2, CONTROL = 3, USER_DEFINED = 4, UNUSED = 5, BYTE = 6;
    public static final int UNIGRAM = 1, BPE = 2, WORD = 3, CHAR = 4;
    private static final int MAX_PIECES = 5_000_000;

    public static SentencePieceModel parse(byte[] data, String where) {
        try {
            return read(data, where);
        } catch (IOException | RuntimeException e) {
            if (e instanceof TokenizerException te) throw te;
            throw new TokenizerException(where + ": not a valid SentencePiece model (protobuf ModelProto): " + e.getMessage(), e);
        }
    }

    private static SentencePieceModel read(byte[] data, String where) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(data);
        in.setSizeLimit(data.length + 16);
        List<String> pieces = new ArrayList<>();
        List<Float> scores = new ArrayList<>();
        List<Integer> types = new ArrayList<>();
        int[] trainer = {UNIGRAM, 0, 0, 1, 2, -1, 0}; // model_type, byte_fallback, unk, bos, eos, pad, ws_as_suffix
        Object[] norm = {null, null, true, true, true};  // name, charsmap, add_dummy_prefix, remove_extra_ws, escape_ws
        boolean sawNormalizer = false;
        while (true) {
            int tag = in.readTag();
            if (tag == 0) break;
            int field = WireFormat.getTagFieldNumber(tag);
            if (field == 1 && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
                if (pieces.size() >= MAX_PIECES) throw new TokenizerException(where + ": more than " + MAX_PIECES + " pieces");
                int limit = in.pushLimit(in.readRawVarint32());
                String piece = null;
                float score = 0;
                int type = NORMAL;
                while (true) {
                    int t = in.readTag();
                    if (t == 0) break;
                    switch (WireFormat.getTagFieldNumber(t)) {
                        case 1 -> piece = in.readStringRequireUtf8();
                        case 2 -> score = in.readFloat();
                        case 3 -> type = in.readEnum();
                        default -> in.skipField(t);
                    }
                }
                in.popLimit(limit);
                if (piece == null) throw new TokenizerException(where + ": pieces[" + pieces.size() + "].piece is missing");
                if (type < NORMAL || type > BYTE)
                    throw new TokenizerException(where + ": pieces[" + pieces.size() + "].type " + type + " is not a known piece type");
                pieces.add(piece);
                scores.add(score);
                types.add(type);
            } else if (field == 2 && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
                int limit = in.pushLimit(in.readRawVarint32());
                while (true) {
                    int t = in.readTag();
                    if (t == 0) break;
                    switch (WireFormat.getTagFieldNumber(t)) {
                        case 3 -> trainer[0] = in.readEnum();
                        case 35 -> trainer[1] = in.readBool() ? 1 : 0;
                        case 40 -> trainer[2] = in.readInt32();
                        case 41 -> trainer[3] = in.readInt32();
                        case 42 -> trainer[4] = in.readInt32();
                        case 43 -> trainer[5] = in.readInt32();
                        case 24 -> trainer[6] = in.readBool() ? 1 : 0;
                        default -> in.skipField(t);
                    }
                }
                in.popLimit(limit);
            } else if (field == 3 && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
                sawNormalizer = true;
                int limit = in.pushLimit(in.readRawVarint32());
                while (true) {
                    int t = in.readTag();
                    if (t == 0) break;
                    switch (WireFormat.getTagFieldNumber(t)) {
                        case 1 -> norm[0] = in.readStringRequireUtf8();
                        case 2 -> norm[1] = in.readByteArray();
                        case 3 -> norm[2] = in.readBool();
                        case 4 -> norm[3] = in.readBool();
                        case 5 -> norm[4] = in.readBool();
                        default -> in.skipField(t);
                    }
                }
                in.popLimit(limit);
            } else {
                in.skipField(tag);
            }
        }
        if (pieces.isEmpty()) throw new TokenizerException(where + ": pieces is empty (not a SentencePiece model?)");
        if (!sawNormalizer && !(data.length > 0)) throw new TokenizerException(where + ": normalizer_spec is missing");
        float[] sc = new float[scores.size()];
        for (int i = 0; i < sc.length; i++) sc[i] = scores.get(i);
        return new SentencePieceModel(pieces, sc, types.stream().mapToInt(Integer::intValue).toArray(), trainer[0], trainer[1] == 1,
                trainer[2], trainer[3], trainer[4], trainer[5], (String) norm[0], (byte[]) norm[1], (Boolean) norm[2],
                (Boolean) norm[3], (Boolean) norm[4], trainer[6] == 1);
    }
}
