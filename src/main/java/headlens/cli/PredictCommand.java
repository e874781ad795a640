package headlens.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import headlens.data.DataReaders;
import headlens.data.Format;
import headlens.data.ReadOptions;
import headlens.data.Sentence;
import headlens.eval.Chunk;
import headlens.eval.ChunkDecoder;
import headlens.model.Encoder;
import headlens.train.RunDir;
import headlens.train.Tagger;
import headlens.train.WordSplitter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code headlens predict}: tag raw or pre-tokenized text with a fine-tuned model. */
@Command(name = "predict", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Tag text with a RUN_DIR. Input: raw text (one sentence per line; words split at spaces and punctuation), "
                + "pre-tokenized lines (space-separated words), or any data file the readers know (labels ignored). "
                + "Output: CoNLL (word TAB label, blank line between sentences) or JSON lines with words, character offsets "
                + "and entity spans.")
public final class PredictCommand implements Callable<Integer> {
    public enum InputFormat { text, tokens, data }
    public enum OutputFormat { conll, json }

    @Option(names = "--model", required = true, description = "RUN_DIR (a fine-tuned model directory).") Path model;
    @Option(names = "--input", required = true, description = "Input file (UTF-8).") Path input;
    @Option(names = "--input-format", defaultValue = "text", description = "text | tokens | data (default: ${DEFAULT-VALUE}).") InputFormat inputFormat;
    @Option(names = "--pretokenized", description = "Same as --input-format tokens.") boolean pretokenized;
    @Option(names = "--format", defaultValue = "conll", description = "conll | json (default: ${DEFAULT-VALUE}).") OutputFormat format;
    @Option(names = "--output", description = "Output file (written atomically); standard output when absent.") Path output;
    @Option(names = "--batch-size", defaultValue = "32") int batchSize;
    @Option(names = "--max-length", defaultValue = "256") int maxLength;
    @Option(names = "--stride", defaultValue = "32") int stride;

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public Integer call() throws IOException {
        InputFormat in = pretokenized ? InputFormat.tokens : inputFormat;
        List<String> texts = new ArrayList<>();
        List<List<WordSplitter.Word>> words = new ArrayList<>();
        List<Sentence> sentences = new ArrayList<>();
        if (in == InputFormat.data) {
            for (Sentence s : DataReaders.read(input, Format.AUTO, ReadOptions.defaults()).sentences()) {
                List<WordSplitter.Word> ws = WordSplitter.joined(s.words());
                texts.add(String.join(" ", s.words()));
                words.add(ws);
                sentences.add(new Sentence(s.words(), List.of(), s.lang(), s.source()));
            }
        } else {
            List<String> lines = InputLines.read(input);
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                if (line.isBlank()) continue;
                List<WordSplitter.Word> ws = in == InputFormat.text ? WordSplitter.split(line) : WordSplitter.whitespace(line);
                texts.add(line);
                words.add(ws);
                sentences.add(new Sentence(ws.stream().map(WordSplitter.Word::text).toList(), List.of(), "und", input + ":" + (i + 1)));
            }
        }
        if (sentences.isEmpty()) throw new HeadlensException(input + ": no sentences to tag");

        RunDir.Loaded m = RunDir.load(model, Encoder.Options.INFERENCE);
        var cfg = m.source().config();
        int maxLen = Math.min(maxLength, cfg.maxPositionEmbeddings() - (cfg.isXlmRoberta() ? cfg.padTokenId() + 1 : 0));
        List<List<String>> labels = new Tagger(m.model(), headlens.tokenize.Tokenizers.load(model), m.labels(), maxLen, stride, batchSize)
                .predict(sentences);

        StringBuilder out = new StringBuilder();
        for (int i = 0; i < sentences.size(); i++) {
            List<WordSplitter.Word> ws = words.get(i);
            List<String> ls = labels.get(i);
            if (format == OutputFormat.conll) {
                for (int j = 0; j < ws.size(); j++) out.append(ws.get(j).text()).append('\t').append(ls.get(j)).append('\n');
                out.append('\n');
            } else {
                out.append(JSON.writeValueAsString(json(texts.get(i), ws, ls, m.task()))).append('\n');
            }
        }
        if (output == null) {
            System.out.print(out);
        } else {
            Path tmp = output.resolveSibling(output.getFileName() + ".tmp");
            Files.writeString(tmp, out, StandardCharsets.UTF_8);
            Files.move(tmp, output, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        return 0;
    }

    /** {"text", "words": [{word, start, end, label}], "entities": [{type, text, start, end, first_word, last_word}]}. */
    static ObjectNode json(String text, List<WordSplitter.Word> ws, List<String> labels, String task) {
        ObjectNode o = JSON.createObjectNode();
        o.put("text", text);
        ArrayNode wa = o.putArray("words");
        for (int j = 0; j < ws.size(); j++)
            wa.addObject().put("word", ws.get(j).text()).put("start", ws.get(j).start()).put("end", ws.get(j).end()).put("label", labels.get(j));
        if (!task.equals("pos")) {
            ArrayNode ea = o.putArray("entities");
            for (Chunk c : ChunkDecoder.conlleval(List.of(labels))) {
                int start = ws.get(c.start()).start(), end = ws.get(c.end() - 1).end();
                ea.addObject().put("type", c.type()).put("text", text.substring(start, end)).put("start", start).put("end", end)
                        .put("first_word", c.start()).put("last_word", c.end() - 1);
            }
        }
        return o;
    }
}
