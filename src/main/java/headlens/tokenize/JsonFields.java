package headlens.tokenize;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.ArrayList;
import java.util.List;

/**
 * The tokenizer files' JSON reader and the field accessors every stage's {@code fromJson} uses; errors name the file
 * ({@code src}) and the field's path in it ({@code path}, e.g. {@code normalizer.normalizers[1]}).
 */
final class JsonFields {
    private JsonFields() {}

    /** Plain tree reading; long strings allowed (a Precompiled charsmap is a base64 string of up to a few MB). */
    static final ObjectMapper MAPPER = new ObjectMapper();

    static {
        MAPPER.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxStringLength(200_000_000).build());
    }

    /** The node's {@code type} field; an error when missing. */
    static String type(JsonNode n, String src, String path) {
        String type = n.path("type").asText(null);
        if (type == null) throw new TokenizerException(src + ": " + path + ".type is missing");
        return type;
    }

    static String textOr(JsonNode n, String field, String dflt) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? dflt : v.asText();
    }

    static String textField(JsonNode n, String field, String src, String path) {
        JsonNode v = n == null ? null : n.get(field);
        if (v == null || !v.isTextual()) throw new TokenizerException(src + ": " + path + "." + field + " is missing or not a string");
        return v.asText();
    }

    static int intField(JsonNode n, String field, String src, String path) {
        JsonNode v = n == null ? null : n.get(field);
        if (v == null || !v.canConvertToInt() || v.asInt() < 0)
            throw new TokenizerException(src + ": " + path + "." + field + " is missing or not a non-negative integer");
        return v.asInt();
    }

    /** An array field (an error when missing or not an array). */
    static JsonNode arrayField(JsonNode n, String field, String src, String path) {
        JsonNode v = n.get(field);
        if (v == null || !v.isArray()) throw new TokenizerException(src + ": " + path + "." + field + " is missing or not an array");
        return v;
    }

    /** A stage's parser: the object at {@code path} of {@code src} to a step, or null for a no-op. */
    interface Stage<T> {
        T fromJson(JsonNode n, String src, String path);
    }

    /** The steps of a Sequence (array field {@code field}), each parsed by {@code stage}; no-op steps are dropped. */
    static <T> List<T> steps(JsonNode n, String field, String src, String path, Stage<T> stage) {
        JsonNode arr = arrayField(n, field, src, path);
        List<T> steps = new ArrayList<>();
        for (int i = 0; i < arr.size(); i++) {
            T s = stage.fromJson(arr.get(i), src, path + "." + field + "[" + i + "]");
            if (s != null) steps.add(s);
        }
        return steps;
    }
}
