package headlens.io;

import headlens.core.AtomicFiles;
import headlens.core.HeadlensException;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * NumPy {@code .npz} archives (a zip of {@code .npy} files), read and written by hand: little-endian
 * float32/float64/int64/int32, C order. Used for {@code headlens encode} output and NumPy reference fixtures.
 */
public final class Npz {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final long MAX_ENTRY = 1L << 31;   // one array at most 2 GB
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([<>|=])([fi])(\\d)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private Npz() {}

    /** Reads every array of an .npz file, in archive order. */
    public static Map<String, INDArray> read(Path file) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        try (ZipInputStream zin = new ZipInputStream(Files.newInputStream(file))) {
            for (ZipEntry e; (e = zin.getNextEntry()) != null; ) {
                String name = e.getName();
                if (!name.endsWith(".npy") || name.contains("/") || name.contains(".."))
                    throw new HeadlensException(file + ": unexpected entry '" + name + "'");
                out.put(name.substring(0, name.length() - 4), readNpy(zin, file + ":" + name));
            }
        } catch (IOException ex) {
            throw new HeadlensException(file + ": cannot read .npz: " + ex.getMessage(), ex);
        }
        return out;
    }

    private static INDArray readNpy(InputStream in, String where) throws IOException {
        byte[] magic = in.readNBytes(8);
        if (magic.length < 8 || !Arrays.equals(Arrays.copyOf(magic, 6), MAGIC))
            throw new HeadlensException(where + ": not a .npy array");
        int headerLen;
        if (magic[6] == 1) {
            byte[] b = in.readNBytes(2);
            headerLen = (b[0] & 0xff) | (b[1] & 0xff) << 8;
        } else {
            byte[] b = in.readNBytes(4);
            headerLen = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt();
        }
        if (headerLen < 0 || headerLen > 1 << 20) throw new HeadlensException(where + ": header length " + headerLen + " out of bounds");
        String header = new String(in.readNBytes(headerLen), StandardCharsets.ISO_8859_1);
        Matcher d = DESCR.matcher(header), f = FORTRAN.matcher(header), s = SHAPE.matcher(header);
        if (!d.find() || !f.find() || !s.find()) throw new HeadlensException(where + ": unsupported header " + header.trim());
        if (d.group(1).equals(">")) throw new HeadlensException(where + ": big-endian arrays are not supported");
        if (f.group(1).equals("True")) throw new HeadlensException(where + ": Fortran-order arrays are not supported");
        char kind = d.group(2).charAt(0);
        int size = Integer.parseInt(d.group(3));
        DataType type = switch (kind + "" + size) {
            case "f4" -> DataType.FLOAT;
            case "f8" -> DataType.DOUBLE;
            case "i8" -> DataType.INT64;
            case "i4" -> DataType.INT32;
            default -> throw new HeadlensException(where + ": dtype " + kind + size + " is not supported");
        };
        String dims = s.group(1).trim();
        long[] shape = dims.isEmpty() ? new long[0] : Arrays.stream(dims.split(",")).map(String::trim)
                .filter(x -> !x.isEmpty()).mapToLong(Long::parseLong).toArray();
        long count = 1;
        for (long x : shape) {
            if (x < 0) throw new HeadlensException(where + ": negative dimension");
            count = Math.multiplyExact(count, x);
        }
        long bytes = Math.multiplyExact(count, size);
        if (bytes > MAX_ENTRY) throw new HeadlensException(where + ": array of " + bytes + " bytes is too large");
        byte[] data = in.readNBytes((int) bytes);
        if (data.length != bytes) throw new HeadlensException(where + ": truncated data (" + data.length + " of " + bytes + " bytes)");
        ByteBuffer bb = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        INDArray a = switch (type) {
            case FLOAT -> { float[] v = new float[(int) count]; bb.asFloatBuffer().get(v); yield Nd4j.createFromArray(v); }
            case DOUBLE -> { double[] v = new double[(int) count]; bb.asDoubleBuffer().get(v); yield Nd4j.createFromArray(v); }
            case LONG -> { long[] v = new long[(int) count]; bb.asLongBuffer().get(v); yield Nd4j.createFromArray(v); }
            default -> { int[] v = new int[(int) count]; bb.asIntBuffer().get(v); yield Nd4j.createFromArray(v); }
        };
        return shape.length == 0 ? a.reshape() : a.reshape('c', shape);
    }

    /** Writes arrays to an .npz file atomically (temp file + rename). */
    public static void write(Path file, Map<String, INDArray> arrays) {
        write(file, w -> { for (var e : arrays.entrySet()) w.add(e.getKey(), e.getValue()); });
    }

    /** Adds arrays to a {@link Writer}, one at a time. */
    public interface Body { void write(Writer w) throws IOException; }

    /**
     * Streams an .npz file: {@code body} adds arrays one at a time and each becomes a zip entry as soon as it is added,
     * so only one array is in memory. The archive goes to a temporary sibling that is renamed into place when
     * {@code body} returns; if it throws, nothing is left at {@code file}. Past 65,535 entries or 4 GB the JDK's zip
     * writer adds the ZIP64 records (end of central directory, 8-byte offsets) that NumPy's zipfile reads.
     */
    public static void write(Path file, Body body) {
        try {
            AtomicFiles.writeStream(file, os -> {
                Writer w = new Writer(new BufferedOutputStream(os, 1 << 20));
                body.write(w);
                w.zip.finish();        // not close(): the atomic writer syncs and closes the file itself
                w.zip.flush();
            });
        } catch (IOException ex) {
            throw new HeadlensException(file + ": cannot write .npz: " + ex.getMessage(), ex);
        }
    }

    /** Appends {@code NAME.npy} entries to an open archive (see {@link #write(Path, Body)}). */
    public static final class Writer {
        private final ZipOutputStream zip;
        private int entries;

        private Writer(OutputStream out) {
            zip = new ZipOutputStream(out);
            zip.setLevel(0);           // stored blocks: the arrays are float noise to deflate, and NumPy reads any level
        }

        /** Arrays written so far. */
        public int entries() { return entries; }

        public void add(String name, INDArray a) throws IOException {
            INDArray c = a.dup('c');
            long[] shape = a.shape();
            switch (a.dataType()) {
                case FLOAT -> add(name, shape, c.data().asFloat());
                case DOUBLE -> { double[] v = c.data().asDouble(); entry(name, "<f8", shape, v.length, (i, m) -> chunk.asDoubleBuffer().put(v, i, m)); }
                case LONG -> add(name, shape, c.data().asLong());
                case INT -> { int[] v = c.data().asInt(); entry(name, "<i4", shape, v.length, (i, m) -> chunk.asIntBuffer().put(v, i, m)); }
                default -> throw new IllegalArgumentException("dtype " + a.dataType() + " cannot be written to .npy");
            }
            c.close();
        }

        /** A float32 array from its C-order values. */
        public void add(String name, long[] shape, float[] values) throws IOException {
            entry(name, "<f4", shape, values.length, (i, m) -> chunk.asFloatBuffer().put(values, i, m));
        }

        /** An int64 array from its C-order values. */
        public void add(String name, long[] shape, long[] values) throws IOException {
            entry(name, "<i8", shape, values.length, (i, m) -> chunk.asLongBuffer().put(values, i, m));
        }

        /** Puts values [i, i + m) into {@link #chunk} (little-endian). */
        private interface Fill { void put(int i, int m); }

        private final ByteBuffer chunk = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);

        /** Header, then the values through a small reused buffer (no copy of the whole array on the heap). */
        private void entry(String name, String descr, long[] shape, int count, Fill fill) throws IOException {
            long expected = 1;
            for (long d : shape) expected = Math.multiplyExact(expected, d);
            if (expected != count)
                throw new IllegalArgumentException(name + ": shape " + Arrays.toString(shape) + " does not match " + count + " values");
            int width = descr.charAt(2) - '0', perChunk = chunk.capacity() / width;
            zip.putNextEntry(new ZipEntry(name + ".npy"));
            zip.write(npyHeader(descr, shape));
            for (int i = 0; i < count; i += perChunk) {
                int m = Math.min(perChunk, count - i);
                fill.put(i, m);
                zip.write(chunk.array(), 0, m * width);
            }
            zip.closeEntry();
            entries++;
        }
    }

    /** Format 1.0 header: magic, version, little-endian length, the dict padded with spaces to a multiple of 64 bytes. */
    private static byte[] npyHeader(String descr, long[] shape) {
        StringBuilder sh = new StringBuilder();
        for (long d : shape) sh.append(d).append(", ");
        if (shape.length > 1) sh.setLength(sh.length() - 2);
        String header = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + sh.toString().trim() + "), }";
        int total = 10 + header.length() + 1;
        int pad = (64 - total % 64) % 64;
        header = header + " ".repeat(pad) + "\n";
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        head.write(MAGIC, 0, MAGIC.length);
        head.write(1);
        head.write(0);
        head.write(header.length() & 0xff);
        head.write(header.length() >> 8 & 0xff);
        head.writeBytes(header.getBytes(StandardCharsets.ISO_8859_1));
        return head.toByteArray();
    }
}
