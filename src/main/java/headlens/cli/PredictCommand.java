package headlens.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import headlens.core.HeadlensException;
import headlens.core.Json;
import headlens.data.DataReaders;
import headlens.data.Format;
import headlens.data.ReadOptions;
import headlens.data.Sentence;
import headlens.eval.Chunk;
import headlens.eval.ChunkDecoder;
import headlens.eval.Task;
import headlens.tagger.Tagger;
import headlens.tagger.TaggerDir;
import headlens.train.WordSplitter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import headlens.core.AtomicFiles;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

/**
 * {@code headlens predict}: tag raw or pre-tokenized text with a fine-tuned model. Streams: text input is read a line
 * at a time and tagged a pool of batches at a time (see {@link Tagger#predict(Iterator, java.util.function.Function,
 * java.util.function.BiConsumer, int)}); each sentence's output is written as soon as its pool is done.
 */
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

    /** One sentence to tag: its text, words with offsets, and the sentence the tagger sees. */
    private record Item(String text, List<WordSplitter.Word> words, Sentence sentence) {}

    @Override
    public Integer call() throws IOException {
        InputFormat in = pretokenized ? InputFormat.tokens : inputFormat;
        InputLines lines = in == InputFormat.data ? null : InputLines.open(input);
        try {
            Iterator<Item> items = in == InputFormat.data ? dataItems() : lineItems(lines, in);
            if (!items.hasNext()) throw new HeadlensException(input + ": no sentences to tag");
            Tagger tagger = TaggerDir.load(model).tagger(maxLength, stride, batchSize);
            if (output == null) {
                tag(tagger, items, System.out::print);
                System.out.flush();
            } else {
                AtomicFiles.writeStream(output, os -> {
                    Writer w = new BufferedWriter(new OutputStreamWriter(os, StandardCharsets.UTF_8), 1 << 16);
                    tag(tagger, items, text -> {
                        try {
                            w.write(text);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    });
                    w.flush();
                });
            }
        } catch (UncheckedIOException e) {
            throw new HeadlensException((output == null ? "standard output" : output) + ": cannot write: " + e.getCause().getMessage(), e);
        } finally {
            if (lines != null) lines.close();
        }
        return 0;
    }

    /** Tags a pool of sentences at a time and hands each sentence's output to {@code out} as soon as its pool is done. */
    private void tag(Tagger tagger, Iterator<Item> items, Consumer<String> out) {
        tagger.predict(items, Item::sentence, (item, ls) -> {
            List<WordSplitter.Word> ws = item.words();
            if (format == OutputFormat.conll) {
                StringBuilder sb = new StringBuilder();
                for (int j = 0; j < ws.size(); j++) sb.append(ws.get(j).text()).append('\t').append(ls.get(j)).append('\n');
                out.accept(sb.append('\n').toString());
            } else {
                try {
                    out.accept(Json.MAPPER.writeValueAsString(json(item.text(), ws, ls, tagger.task())) + "\n");
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }, Tagger.POOL_BATCHES);
    }

    /** A data file's sentences (the readers hold the file's sentences; the labels are dropped here). */
    private Iterator<Item> dataItems() {
        Iterator<Sentence> it = DataReaders.read(input, Format.AUTO, ReadOptions.defaults()).sentences().iterator();
        return new Iterator<>() {
            @Override public boolean hasNext() { return it.hasNext(); }
            @Override public Item next() {
                Sentence s = it.next();
                return new Item(String.join(" ", s.words()), WordSplitter.joined(s.words()),
                        new Sentence(s.words(), List.of(), s.lang(), s.source()));
            }
        };
    }

    /** Non-blank lines read one at a time, split into words. */
    private Iterator<Item> lineItems(InputLines lines, InputFormat in) {
        return new Iterator<>() {
            private Item next = advance();

            private Item advance() {
                while (lines.hasNext()) {
                    String line = lines.next();
                    if (line.isBlank()) continue;
                    List<WordSplitter.Word> ws = in == InputFormat.text ? WordSplitter.split(line) : WordSplitter.whitespace(line);
                    return new Item(line, ws, new Sentence(ws.stream().map(WordSplitter.Word::text).toList(), List.of(), "und",
                            input + ":" + lines.lineNumber()));
                }
                return null;
            }

            @Override public boolean hasNext() { return next != null; }

            @Override public Item next() {
                if (next == null) throw new NoSuchElementException();
                Item r = next;
                next = advance();
                return r;
            }
        };
    }

    /** {"text", "words": [{word, start, end, label}], "entities": [{type, text, start, end, first_word, last_word}]}. */
    static ObjectNode json(String text, List<WordSplitter.Word> ws, List<String> labels, Task task) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("text", text);
        ArrayNode wa = o.putArray("words");
        for (int j = 0; j < ws.size(); j++)
            wa.addObject().put("word", ws.get(j).text()).put("start", ws.get(j).start()).put("end", ws.get(j).end()).put("label", labels.get(j));
        if (task.hasEntities()) {
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
