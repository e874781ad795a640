package headlens.cli;

import headlens.convert.FakeHub;
import headlens.convert.HubClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class PullCommandTest {
    @TempDir Path tmp;

    @Test
    void pullDownloadsAndConverts() throws Exception {
        Path src = Path.of(getClass().getResource("/headlens/convert/fixture/torch-bin").toURI());
        try (FakeHub hub = new FakeHub("org/tiny-bert-bin", src)) {
            PullCommand.client = new HubClient(hub.endpoint(), null, true);
            Path to = tmp.resolve("model");
            assertEquals(0, Main.run("pull", "org/tiny-bert-bin", "--to", to.toString()));
            assertTrue(Files.isRegularFile(to.resolve("model.safetensors")));
            assertTrue(Files.isRegularFile(to.resolve("vocab.txt")));
            assertFalse(Files.exists(to.resolve(".download")));
            assertEquals(2, Main.run("pull", "org/absent", "--to", tmp.resolve("x").toString()));
        } finally {
            PullCommand.client = null;
        }
    }
}
