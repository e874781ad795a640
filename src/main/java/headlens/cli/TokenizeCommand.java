package headlens.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonFactory;
import headlens.core.HeadlensException;
import headlens.tokenize.Encoding;
import headlens.tokenize.PipelineTokenizer;
import headlens.tokenize.Tokenizers;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code headlens tokenize}: one JSON object per input line with ids, tokens and offsets, as HuggingFace encodes it. */
@Command(name = "tokenize", mixinStandardHelpOptions = true,
        description = {"Tokenizes each line of a text file and prints one JSON object per line: ids, tokens, offsets",
                "(special tokens included, as HuggingFace adds them by default). A bare SentencePiece .model prints",
                "SentencePiece's own ids and pieces (no special tokens, no offsets) unless --model-type xlm-roberta."})
public final class TokenizeCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--tokenizer", required = true, paramLabel = "PATH",
            description = "tokenizer.json, a SentencePiece .model, vocab.txt, or a model directory holding one of them")
    Path tokenizer;

    @Option(names = "--input", required = true, paramLabel = "FILE", description = "UTF-8 text, one input per line ('-' for stdin)")
    String input;

    @Option(names = "--model-type", paramLabel = "TYPE",
            description = "id layout of a SentencePiece model: xlm-roberta (fairseq ids, <s> ... </s>); default: the model's own")
    String modelType;

    @Option(names = "--words", description = "each line is pre-split into words at whitespace (is_split_into_words=True); adds word_ids")
    boolean words;

    @Override
    public Integer call() throws IOException {
        PipelineTokenizer tok = Tokenizers.load(tokenizer, modelType);
        boolean offsets = !tok.isRawSentencePiece();
        BufferedReader in;
        if (input.equals("-")) {
            in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        } else {
            Path p = Path.of(input);
            if (!Files.isRegularFile(p)) throw new HeadlensException(input + ": no such input file");
            in = Files.newBufferedReader(p, StandardCharsets.UTF_8);
        }
        Writer out = spec != null ? spec.commandLine().getOut() : new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8));
        JsonFactory jf = new JsonFactory();
        try (in) {
            String line;
            int n = 0;
            while ((line = in.readLine()) != null) {
                n++;
                if (n == 1 && line.startsWith("\uFEFF")) line = line.substring(1);
                Encoding e = words ? tok.encodeWords(splitWords(line)) : tok.encode(line);
                JsonGenerator g = jf.createGenerator(out);
                g.writeStartObject();
                g.writeArrayFieldStart("ids");
                for (int id : e.ids()) g.writeNumber(id);
                g.writeEndArray();
                g.writeArrayFieldStart("tokens");
                for (String t : e.tokens()) g.writeString(t);
                g.writeEndArray();
                if (offsets) {
                    g.writeArrayFieldStart("offsets");
                    for (int[] o : e.offsets()) { g.writeStartArray(); g.writeNumber(o[0]); g.writeNumber(o[1]); g.writeEndArray(); }
                    g.writeEndArray();
                }
                if (words) {
                    g.writeArrayFieldStart("word_ids");
                    for (int w : e.wordIds()) { if (w < 0) g.writeNull(); else g.writeNumber(w); }
                    g.writeEndArray();
                }
                g.writeEndObject();
                g.flush();
                out.write('\n');
            }
        }
        out.flush();
        return 0;
    }

    private static List<String> splitWords(String line) {
        String t = line.strip();
        return t.isEmpty() ? List.of() : Arrays.asList(t.split("\\s+"));
    }
}
