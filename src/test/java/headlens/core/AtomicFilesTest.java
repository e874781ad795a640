package headlens.core;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

class AtomicFilesTest {
    @TempDir Path tmp;

    private List<String> names() throws IOException {
        try (Stream<Path> s = Files.list(tmp)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void writeStringReplacesTheFileWithUtf8AndLeavesNoTemporary() throws IOException {
        Path f = tmp.resolve("sub/out.txt");
        AtomicFiles.writeString(f, "first");
        AtomicFiles.writeString(f, "zweite Zeile – ü\n");
        assertArrayEquals(new byte[]{'z', 'w', 'e', 'i', 't', 'e', ' ', 'Z', 'e', 'i', 'l', 'e', ' ', (byte) 0xE2, (byte) 0x80,
                (byte) 0x93, ' ', (byte) 0xC3, (byte) 0xBC, '\n'}, Files.readAllBytes(f));
        try (Stream<Path> s = Files.list(f.getParent())) {
            assertEquals(List.of("out.txt"), s.map(p -> p.getFileName().toString()).toList());
        }
    }

    /** Jackson's writeValue(OutputStream) closes the stream it is given; the file must still be forced and renamed. */
    @Test
    void aWriterThatClosesTheStreamStillWritesTheWholeFile() throws IOException {
        ObjectNode n = Json.MAPPER.createObjectNode().put("format", "x/1");
        for (int i = 0; i < 20_000; i++) n.put("k" + i, i);          // past the stream's 64 KiB buffer
        Path f = tmp.resolve("big.json");
        AtomicFiles.writeStream(f, out -> Json.INDENTED.writeValue(out, n));
        assertEquals(Json.INDENTED.writeValueAsString(n), Files.readString(f));
        assertEquals(List.of("big.json"), names());
    }

    @Test
    void aFailedWriteKeepsThePreviousFile() throws IOException {
        Path f = tmp.resolve("keep.txt");
        AtomicFiles.writeString(f, "old");
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.writeStream(f, out -> {
            out.write("half of the new".getBytes(StandardCharsets.UTF_8));
            throw new IOException("disk on fire");
        }));
        assertEquals("disk on fire", e.getMessage());
        assertEquals("old", Files.readString(f));
        assertEquals(List.of("keep.txt"), names());
    }

    @Test
    void writeDirectoryReplacesTheDirectoryWholeAndReturnsTheWritersValue() throws IOException {
        Path d = tmp.resolve("model");
        AtomicFiles.writeDirectory(d, dir -> {
            Files.writeString(dir.resolve("a.txt"), "old a");
            Files.writeString(dir.resolve("stale.txt"), "only in the old one");
            return null;
        });
        Files.createDirectories(tmp.resolve("model.tmp/junk"));               // left by a killed run
        Files.writeString(tmp.resolve("model.tmp/junk/x"), "junk");
        String r = AtomicFiles.writeDirectory(d, dir -> {
            assertEquals(List.of(), Files.list(dir).toList(), "starts empty: the killed run's leftovers are gone");
            assertEquals("old a", Files.readString(d.resolve("a.txt")), "readers see the old directory while the new one is written");
            Files.createDirectories(dir.resolve("sub"));
            Files.writeString(dir.resolve("a.txt"), "new a");
            Files.writeString(dir.resolve("sub/b.txt"), "new b");
            return "done";
        });
        assertEquals("done", r);
        assertEquals("new a", Files.readString(d.resolve("a.txt")));
        assertEquals("new b", Files.readString(d.resolve("sub/b.txt")));
        assertFalse(Files.exists(d.resolve("stale.txt")));
        assertEquals(List.of("model"), names());
        assertEquals(tmp.resolve("model.old").toAbsolutePath(), AtomicFiles.previous(d));
    }

    @Test
    void aFailedDirectoryWriteLeavesTheOldDirectoryAndNoTemporary() throws IOException {
        Path d = tmp.resolve("run/checkpoint");
        AtomicFiles.writeDirectory(d, dir -> Files.writeString(dir.resolve("state.json"), "{\"step\":1}"));
        assertThrows(UncheckedIOException.class, () -> AtomicFiles.writeDirectory(d, dir -> {
            Files.writeString(dir.resolve("state.json"), "{\"step\":2");
            throw new UncheckedIOException(new IOException("killed"));
        }));
        assertEquals("{\"step\":1}", Files.readString(d.resolve("state.json")));
        try (Stream<Path> s = Files.list(d.getParent())) {
            assertEquals(List.of("checkpoint"), s.map(p -> p.getFileName().toString()).toList());
        }
    }

    @Test
    void renameReplacesTheTarget() throws IOException {
        Path part = tmp.resolve("w.bin.part"), target = tmp.resolve("w.bin");
        Files.writeString(part, "complete");
        Files.writeString(target, "outdated");
        AtomicFiles.rename(part, target);
        assertEquals("complete", Files.readString(target));
        assertEquals(List.of("w.bin"), names());
    }
}
