package headlens.core;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * The project's shared Jackson mappers, for every JSON read or written with Jackson's defaults. A configured
 * {@link ObjectMapper} is thread-safe and costly to build, so there is one of each kind; never reconfigure them (call
 * {@link ObjectMapper#copy()} first). Mappers whose configuration differs stay with their readers, each saying why:
 * the converter's strict reader of untrusted checkpoint headers ({@code convert.Safetensors.JSON}), the YAML
 * readers of experiment and sweep files and the Kubernetes manifest writer.
 */
public final class Json {
    private Json() {}

    /** Jackson's defaults: compact output. */
    public static final ObjectMapper MAPPER = new ObjectMapper();

    /** Jackson's defaults with indented output, for files people read (masks, reports, result files, checkpoint state). */
    public static final ObjectMapper INDENTED = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
}
