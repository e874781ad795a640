package headlens.convert;

import headlens.core.HeadlensException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class HubClientTest {
    @TempDir Path tmp;

    @Test
    void downloadsVerifiesAndResumes() throws IOException {
        Path src = SafetensorsTest.fixture("torch-twin");
        try (FakeHub hub = new FakeHub("org/tiny-bert", src)) {
            hub.requiredToken = "secret";
            Path dl = tmp.resolve("dl");
            // a partial file from an interrupted run: the first half of the weights
            byte[] weights = hub.files.get("model.safetensors");
            Files.createDirectories(dl);
            Files.write(dl.resolve("model.safetensors.part"), Arrays.copyOf(weights, weights.length / 2));
            List<Path> got = new HubClient(hub.endpoint(), "secret", false).download("org/tiny-bert", "main", dl);
            assertEquals(List.of("config.json", "vocab.txt", "model.safetensors"), got.stream().map(p -> p.getFileName().toString()).toList());
            assertEquals(List.of("model.safetensors bytes=" + weights.length / 2 + "-"), hub.ranges);
            for (Path p : got) assertArrayEquals(hub.files.get(p.getFileName().toString()), Files.readAllBytes(p));
            assertFalse(Files.exists(dl.resolve("model.safetensors.part")));
            // converting the download equals converting the fixture directly
            Converter.convert(dl, tmp.resolve("a"));
            Converter.convert(src, tmp.resolve("b"));
            assertArrayEquals(Files.readAllBytes(tmp.resolve("b/model.safetensors")), Files.readAllBytes(tmp.resolve("a/model.safetensors")));
        }
    }

    @Test
    void corruptedDownloadAndMissingTokenAreClearErrors() throws IOException {
        try (FakeHub hub = new FakeHub("org/tiny-bert", SafetensorsTest.fixture("torch-twin"))) {
            byte[] bad = hub.files.get("model.safetensors").clone();
            bad[bad.length - 1] ^= 1;
            hub.served.put("model.safetensors", bad);
            Path dl = tmp.resolve("dl");
            HeadlensException e = assertThrows(HeadlensException.class, () -> new HubClient(hub.endpoint(), null, false).download("org/tiny-bert", "main", dl));
            assertTrue(e.getMessage().startsWith("model.safetensors: downloaded file does not match the hub: sha256"), e.getMessage());
            assertFalse(Files.exists(dl.resolve("model.safetensors.part")), "bad partial file removed");
            byte[] badVocab = hub.files.get("vocab.txt").clone();
            badVocab[0] ^= 1;
            hub.served.clear();
            hub.served.put("vocab.txt", badVocab);
            e = assertThrows(HeadlensException.class, () -> new HubClient(hub.endpoint(), null, false).download("org/tiny-bert", "main", tmp.resolve("dl2")));
            assertTrue(e.getMessage().contains("vocab.txt") && e.getMessage().contains("git blob sha1"), e.getMessage());
            hub.requiredToken = "secret";
            e = assertThrows(HeadlensException.class, () -> new HubClient(hub.endpoint(), null, false).download("org/tiny-bert", "main", tmp.resolve("dl3")));
            assertTrue(e.getMessage().contains("HTTP 401") && e.getMessage().contains("HF_TOKEN"), e.getMessage());
            e = assertThrows(HeadlensException.class, () -> new HubClient(hub.endpoint(), null, false).download("../etc", "main", tmp.resolve("dl4")));
            assertTrue(e.getMessage().contains("not a valid ORG/NAME"), e.getMessage());
        }
    }
}
