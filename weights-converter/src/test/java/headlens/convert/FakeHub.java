package headlens.convert;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A local stand-in for the HuggingFace hub's file routes on 127.0.0.1: {@code /api/models/{repo}/revision/{rev}}
 * (siblings with lfs sha256/size for weights, blobId for small files) and {@code /{repo}/resolve/{rev}/{file}}
 * with Range support. Hashes are computed here with the JDK's MessageDigest from the served bytes.
 */
public final class FakeHub implements AutoCloseable {
    public final HttpServer server;
    public final Map<String, byte[]> files = new TreeMap<>();
    public final Map<String, byte[]> served = new TreeMap<>();   // what /resolve returns (defaults to files)
    public final List<String> ranges = new CopyOnWriteArrayList<>();
    public String requiredToken;
    public final String repo;

    public FakeHub(String repo, Path dir) throws IOException {
        this.repo = repo;
        try (var s = Files.list(dir)) {
            for (Path p : s.toList()) files.put(p.getFileName().toString(), Files.readAllBytes(p));
        }
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", ex -> {
            try (ex) {
                String auth = ex.getRequestHeaders().getFirst("Authorization");
                if (requiredToken != null && !("Bearer " + requiredToken).equals(auth)) { ex.sendResponseHeaders(401, -1); return; }
                String path = ex.getRequestURI().getPath();
                String api = "/api/models/" + repo + "/revision/main", res = "/" + repo + "/resolve/main/";
                if (path.equals(api)) {
                    byte[] body = metadata();
                    ex.sendResponseHeaders(200, body.length);
                    ex.getResponseBody().write(body);
                } else if (path.startsWith(res) && files.containsKey(path.substring(res.length()))) {
                    String name = path.substring(res.length());
                    byte[] data = served.getOrDefault(name, files.get(name));
                    String range = ex.getRequestHeaders().getFirst("Range");
                    int from = 0;
                    if (range != null) {
                        ranges.add(name + " " + range);
                        from = Integer.parseInt(range.replaceAll("bytes=(\\d+)-", "$1"));
                    }
                    ex.sendResponseHeaders(range != null ? 206 : 200, data.length - from == 0 ? -1 : data.length - from);
                    try (OutputStream os = ex.getResponseBody()) { os.write(data, from, data.length - from); }
                } else ex.sendResponseHeaders(404, -1);
            }
        });
        server.start();
    }

    public String endpoint() { return "http://127.0.0.1:" + server.getAddress().getPort(); }

    private byte[] metadata() throws IOException {
        ObjectMapper om = new ObjectMapper();
        ObjectNode root = om.createObjectNode();
        root.put("id", repo);
        root.put("sha", "0123456789abcdef0123456789abcdef01234567");
        ArrayNode sib = root.putArray("siblings");
        for (var e : files.entrySet()) {
            ObjectNode s = sib.addObject();
            s.put("rfilename", e.getKey());
            if (e.getKey().endsWith(".safetensors") || e.getKey().endsWith(".bin")) {
                s.put("size", e.getValue().length);
                s.putObject("lfs").put("sha256", hex("SHA-256", e.getValue())).put("size", e.getValue().length).put("pointerSize", 134);
            } else {
                s.put("size", e.getValue().length);
                byte[] blob = concat(("blob " + e.getValue().length + "\0").getBytes(StandardCharsets.US_ASCII), e.getValue());
                s.put("blobId", hex("SHA-1", blob));
            }
        }
        return om.writeValueAsBytes(root);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = new byte[a.length + b.length];
        System.arraycopy(a, 0, c, 0, a.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    static String hex(String alg, byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance(alg).digest(data));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() { server.stop(0); }
}
