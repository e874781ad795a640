package headlens.convert;

import com.fasterxml.jackson.databind.JsonNode;
import headlens.core.AtomicFiles;
import headlens.core.HeadlensException;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Downloads the files a conversion needs from a HuggingFace hub ({@code HF_ENDPOINT}, default https://huggingface.co;
 * {@code HF_TOKEN} as a bearer token). File list, sizes and hashes come from {@code /api/models/{repo}/revision/{rev}?blobs=true};
 * files from {@code /{repo}/resolve/{rev}/{file}}. Partial downloads ({@code .part}) resume with a Range request;
 * every finished file is checked against its size and its LFS sha256 (or, for small files, the git blob sha1).
 */
public final class HubClient {
    private static final Pattern REPO = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,95}(/[A-Za-z0-9][A-Za-z0-9._-]{0,95})?");
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9._-]{1,200}");

    private final String endpoint;
    private final String token;
    private final boolean progress;
    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
            .connectTimeout(Duration.ofSeconds(30)).build();

    public HubClient(String endpoint, String token, boolean progress) {
        this.endpoint = (endpoint == null || endpoint.isBlank() ? "https://huggingface.co" : endpoint).replaceAll("/+$", "");
        this.token = token == null || token.isBlank() ? null : token;
        this.progress = progress;
    }

    /** From the environment: HF_ENDPOINT, HF_TOKEN. */
    public static HubClient fromEnvironment() {
        return new HubClient(System.getenv("HF_ENDPOINT"), System.getenv("HF_TOKEN"), true);
    }

    /** A file of the repository with what the hub says about it. */
    public record RemoteFile(String name, long size, String sha256, String gitBlobSha1) {}

    /** Downloads what a conversion needs into {@code dir}; returns the files fetched. */
    public List<Path> download(String repo, String revision, Path dir) {
        if (!REPO.matcher(repo).matches() || repo.contains(".."))
            throw new HeadlensException("repository '" + repo + "' is not a valid ORG/NAME");
        String rev = revision == null ? "main" : revision;
        if (rev.isEmpty() || rev.contains("..") || rev.length() > 200) throw new HeadlensException("revision '" + rev + "' is not valid");
        Map<String, RemoteFile> files = listFiles(repo, rev);
        List<Path> out = new ArrayList<>();
        for (RemoteFile f : select(repo, files)) out.add(fetch(repo, rev, f, dir));
        return out;
    }

    Map<String, RemoteFile> listFiles(String repo, String rev) {
        URI uri = URI.create(endpoint + "/api/models/" + repo + "/revision/" + URLEncoder.encode(rev, StandardCharsets.UTF_8) + "?blobs=true");
        HttpResponse<byte[]> r = send(request(uri).GET().build(), HttpResponse.BodyHandlers.ofByteArray(), uri);
        if (r.statusCode() != 200) throw new HeadlensException(uri + ": HTTP " + r.statusCode() + (r.statusCode() == 401 || r.statusCode() == 403 ? " (set HF_TOKEN for gated or private models)" : ""));
        if (r.body().length > 64 << 20) throw new HeadlensException(uri + ": metadata larger than 64 MiB");
        JsonNode root;
        try {
            root = Safetensors.JSON.readTree(r.body());
        } catch (IOException e) {
            throw new HeadlensException(uri + ": not JSON: " + e.getMessage());
        }
        JsonNode sib = root.get("siblings");
        if (sib == null || !sib.isArray()) throw new HeadlensException(uri + ": no 'siblings' list");
        Map<String, RemoteFile> m = new LinkedHashMap<>();
        for (JsonNode s : sib) {
            String name = s.path("rfilename").asText("");
            JsonNode lfs = s.get("lfs");
            long size = lfs != null ? lfs.path("size").asLong(-1) : s.path("size").asLong(-1);
            String sha = lfs != null ? lfs.path("sha256").asText(null) : null;
            String blob = lfs == null ? s.path("blobId").asText(null) : null;
            m.put(name, new RemoteFile(name, size, sha, blob));
        }
        return m;
    }

    /** Config, tokenizer files, and one weights format (safetensors, sharded safetensors, PyTorch, ONNX). */
    static List<RemoteFile> select(String repo, Map<String, RemoteFile> files) {
        List<RemoteFile> out = new ArrayList<>();
        if (!files.containsKey("config.json")) throw new HeadlensException(repo + ": the repository has no config.json");
        out.add(files.get("config.json"));
        for (String t : ModelFiles.TOKENIZER_FILES) if (files.containsKey(t)) out.add(files.get(t));
        for (List<String> option : List.of(List.of("model.safetensors"), List.of("model.safetensors.index.json"),
                List.of("pytorch_model.bin"), List.of("model.onnx"), List.of("onnx/model.onnx"))) {
            if (files.containsKey(option.get(0))) {
                out.add(files.get(option.get(0)));
                if (option.get(0).endsWith(".index.json"))
                    for (RemoteFile f : files.values()) if (f.name().matches("model-\\d+-of-\\d+\\.safetensors")) out.add(f);
                return out;
            }
        }
        throw new HeadlensException(repo + ": no model.safetensors, pytorch_model.bin or ONNX export in the repository");
    }

    private Path fetch(String repo, String rev, RemoteFile f, Path dir) {
        String[] segs = f.name().split("/");
        for (String s : segs) if (!SEGMENT.matcher(s).matches() || s.equals("..") || s.equals("."))
            throw new HeadlensException(repo + ": file name '" + f.name() + "' is not safe");
        Path target = dir.resolve(f.name()).normalize();
        if (!target.startsWith(dir.normalize())) throw new HeadlensException(repo + ": file name '" + f.name() + "' is not safe");
        Path part = target.resolveSibling(target.getFileName() + ".part");
        try {
            Files.createDirectories(target.getParent());
            if (Files.isRegularFile(target) && verify(f, target, false)) return target;
            URI uri = URI.create(endpoint + "/" + repo + "/resolve/" + URLEncoder.encode(rev, StandardCharsets.UTF_8) + "/" + f.name());
            long have = Files.isRegularFile(part) ? Files.size(part) : 0;
            if (f.size() >= 0 && have > f.size()) { Files.delete(part); have = 0; }
            HttpRequest.Builder rq = request(uri).GET();
            if (have > 0) rq.header("Range", "bytes=" + have + "-");
            HttpResponse<InputStream> r = send(rq.build(), HttpResponse.BodyHandlers.ofInputStream(), uri);
            boolean append = r.statusCode() == 206 && have > 0;
            if (r.statusCode() != 200 && !append) {
                r.body().close();
                throw new HeadlensException(uri + ": HTTP " + r.statusCode());
            }
            long start = append ? have : 0;
            try (InputStream in = r.body();
                 OutputStream os = Files.newOutputStream(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                         append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING);
                 ProgressBar pb = progress ? new ProgressBarBuilder().setTaskName(f.name()).setInitialMax(Math.max(f.size(), 0))
                         .setUnit(" MiB", 1 << 20).showSpeed().build() : null) {
                if (pb != null) pb.stepTo(start);
                byte[] buf = new byte[1 << 16];
                long total = start;
                for (int n; (n = in.read(buf)) > 0; ) {
                    os.write(buf, 0, n);
                    total += n;
                    if (f.size() >= 0 && total > f.size()) throw new HeadlensException(uri + ": server sent more than the " + f.size() + " bytes the hub listed");
                    if (pb != null) pb.stepTo(total);
                }
            }
            verify(f, part, true);
            AtomicFiles.rename(part, target);   // the .part file stays until it is whole: a rerun resumes it
            return target;
        } catch (IOException e) {
            throw new HeadlensException(target + ": download failed: " + e.getMessage() + " (run again to resume)", e);
        }
    }

    /** Checks size and hash; with {@code strict} a mismatch deletes the file and throws. */
    static boolean verify(RemoteFile f, Path p, boolean strict) throws IOException {
        long size = Files.size(p);
        String problem = null;
        if (f.size() >= 0 && size != f.size()) problem = size + " bytes, the hub lists " + f.size();
        else if (f.sha256() != null) {
            String got = digest("SHA-256", null, p);
            if (!got.equalsIgnoreCase(f.sha256())) problem = "sha256 " + got + ", the hub lists " + f.sha256();
        } else if (f.gitBlobSha1() != null) {
            String got = digest("SHA-1", ("blob " + size + "\0").getBytes(StandardCharsets.US_ASCII), p);
            if (!got.equalsIgnoreCase(f.gitBlobSha1())) problem = "git blob sha1 " + got + ", the hub lists " + f.gitBlobSha1();
        }
        if (problem == null) return true;
        if (strict) {
            Files.deleteIfExists(p);
            throw new HeadlensException(f.name() + ": downloaded file does not match the hub: " + problem);
        }
        return false;
    }

    private static String digest(String alg, byte[] prefix, Path p) throws IOException {
        try {
            MessageDigest md = MessageDigest.getInstance(alg);
            if (prefix != null) md.update(prefix);
            try (InputStream in = Files.newInputStream(p)) {
                byte[] buf = new byte[1 << 20];
                for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private HttpRequest.Builder request(URI uri) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(30)).header("User-Agent", "headlens/0.1");
        if (token != null) b.header("Authorization", "Bearer " + token);
        return b;
    }

    private <T> HttpResponse<T> send(HttpRequest r, HttpResponse.BodyHandler<T> h, URI uri) {
        try {
            return http.send(r, h);
        } catch (IOException e) {
            throw new HeadlensException(uri + ": " + e.getMessage() + " (check the network or HF_ENDPOINT)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HeadlensException(uri + ": interrupted", e);
        }
    }
}
