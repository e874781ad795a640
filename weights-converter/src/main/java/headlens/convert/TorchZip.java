package headlens.convert;

import headlens.core.HeadlensException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * PyTorch checkpoints in the zip layout of {@code torch.save} (since 1.6): {@code <archive>/data.pkl} (the pickled
 * state dict, storages as persistent ids), {@code <archive>/data/<key>} (raw little-endian storage bytes),
 * {@code <archive>/version}, optionally {@code <archive>/byteorder}. Entry names are checked (one top-level folder,
 * no {@code ..}, no absolute paths) and sizes bounded; the pickle goes through {@link RestrictedUnpickler}.
 */
final class TorchZip {
    private TorchZip() {}

    static final long MAX_PICKLE = 64L << 20, MAX_STORAGE = Integer.MAX_VALUE - 64;

    static Map<String, Tensor> read(Path file) {
        try (ZipFile zip = new ZipFile(file.toFile())) {
            String prefix = null;
            Map<String, ZipEntry> entries = new HashMap<>();
            for (Enumeration<? extends ZipEntry> en = zip.entries(); en.hasMoreElements(); ) {
                ZipEntry e = en.nextElement();
                String n = e.getName();
                if (n.startsWith("/") || n.contains("\\") || n.contains("\0") || Arrays.asList(n.split("/")).contains(".."))
                    throw new HeadlensException(file + ": zip entry '" + n + "' has an unsafe path");
                int slash = n.indexOf('/');
                if (slash <= 0) throw new HeadlensException(file + ": zip entry '" + n + "' is not inside an archive folder");
                String p = n.substring(0, slash + 1);
                if (prefix == null) prefix = p;
                else if (!prefix.equals(p)) throw new HeadlensException(file + ": zip entries in two top-level folders ('" + prefix + "', '" + p + "')");
                entries.put(n.substring(slash + 1), e);
            }
            if (prefix == null) throw new HeadlensException(file + ": empty zip");
            ZipEntry pkl = entries.get("data.pkl");
            if (pkl == null) throw new HeadlensException(file + ": no " + prefix + "data.pkl (not a PyTorch zip checkpoint?)");
            ZipEntry bo = entries.get("byteorder");
            if (bo != null) {
                String order = new String(readEntry(file, zip, bo, 16), StandardCharsets.US_ASCII).trim();
                if (!order.equals("little")) throw new HeadlensException(file + ": byteorder '" + order + "' is not supported");
            }
            Map<String, RestrictedUnpickler.TensorRef> refs =
                    RestrictedUnpickler.stateDict(file + " (" + prefix + "data.pkl)", readEntry(file, zip, pkl, MAX_PICKLE));
            Map<String, ByteBuffer> storages = new HashMap<>();
            Map<String, Tensor> out = new LinkedHashMap<>();
            for (var e : refs.entrySet()) {
                RestrictedUnpickler.TensorRef t = e.getValue();
                RestrictedUnpickler.StorageRef s = t.storage();
                ByteBuffer data = storages.get(s.key());
                if (data == null) {
                    ZipEntry se = entries.get("data/" + s.key());
                    if (se == null) throw new HeadlensException(file + ": tensor '" + e.getKey() + "': storage " + prefix + "data/" + s.key() + " is missing");
                    byte[] bytes = readEntry(file, zip, se, MAX_STORAGE);
                    if (bytes.length != s.numel() * s.dtype().size())
                        throw new HeadlensException(file + ": tensor '" + e.getKey() + "': storage " + s.key() + " has " + bytes.length
                                + " bytes, expected " + s.numel() + " x " + s.dtype());
                    data = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
                    storages.put(s.key(), data);
                }
                out.put(e.getKey(), view(file, e.getKey(), t, data));
            }
            return out;
        } catch (IOException e) {
            throw new HeadlensException(file + ": not a readable zip (corrupted or truncated PyTorch checkpoint?): " + e.getMessage(), e);
        }
    }

    /** The tensor's elements gathered from its storage by offset and strides (contiguous views are one copy). */
    private static Tensor view(Path file, String name, RestrictedUnpickler.TensorRef t, ByteBuffer storage) {
        DType dt = t.storage().dtype();
        int es = dt.size();
        long[] size = t.size(), stride = t.stride();
        long numel;
        long maxIndex = t.offset();
        try {
            numel = Tensor.numel(size, name);
            for (int i = 0; i < size.length; i++) if (size[i] > 0) maxIndex = Math.addExact(maxIndex, Math.multiplyExact(size[i] - 1, stride[i]));
        } catch (ArithmeticException e) {
            throw new HeadlensException(file + ": tensor '" + name + "' has overflowing size/stride");
        }
        if (t.offset() < 0 || Arrays.stream(stride).anyMatch(x -> x < 0))
            throw new HeadlensException(file + ": tensor '" + name + "' has a negative offset or stride");
        if (numel > 0 && maxIndex >= t.storage().numel())
            throw new HeadlensException(file + ": tensor '" + name + "' " + Arrays.toString(size) + " at offset " + t.offset()
                    + " reaches element " + maxIndex + " of a storage of " + t.storage().numel());
        long available = storage.capacity() / es;
        if (numel > 0 && maxIndex >= available)
            throw new HeadlensException(file + ": tensor '" + name + "' reaches element " + maxIndex
                    + " but its storage entry holds only " + available + " elements");
        if (numel * es > MAX_STORAGE) throw new HeadlensException(file + ": tensor '" + name + "' is too large");
        byte[] out = new byte[(int) (numel * es)];
        if (isContiguous(size, stride)) {
            storage.duplicate().position((int) (t.offset() * es)).get(out);
        } else {
            long[] idx = new long[size.length];
            byte[] src = storage.array();
            for (long k = 0; k < numel; k++) {
                long e = t.offset();
                for (int d = 0; d < size.length; d++) e += idx[d] * stride[d];
                System.arraycopy(src, (int) (e * es), out, (int) (k * es), es);
                for (int d = size.length - 1; d >= 0; d--) {
                    if (++idx[d] < size[d]) break;
                    idx[d] = 0;
                }
            }
        }
        return new Tensor(name, dt, size, ByteBuffer.wrap(out));
    }

    private static boolean isContiguous(long[] size, long[] stride) {
        long expect = 1;
        for (int d = size.length - 1; d >= 0; d--) {
            if (size[d] != 1 && stride[d] != expect) return false;
            expect *= size[d];
        }
        return true;
    }

    /** Reads an entry, refusing more than {@code limit} bytes whatever the header claims (zip bombs). */
    private static byte[] readEntry(Path file, ZipFile zip, ZipEntry e, long limit) throws IOException {
        if (e.getSize() > limit) throw new HeadlensException(file + ": zip entry '" + e.getName() + "' is " + e.getSize() + " bytes, over the limit " + limit);
        try (InputStream in = zip.getInputStream(e)) {
            byte[] data = in.readNBytes((int) Math.min(limit, e.getSize() >= 0 ? e.getSize() : limit));
            if (in.read() != -1) throw new HeadlensException(file + ": zip entry '" + e.getName() + "' is larger than declared");
            return data;
        }
    }
}
