package headlens.model;

import headlens.config.EncoderConfig;
import headlens.core.HeadlensException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

class HeadMaskTest {
    final EncoderConfig cfg = EncoderConfig.read(TinyXlmrReferenceTest.DIR.resolve("config.json"));

    @Test
    void roundTripsAndBuildsGates(@TempDir Path dir) throws Exception {
        assertSame(HeadMask.NONE, HeadMask.read(dir, cfg));
        HeadMask m = new HeadMask(Set.of(new HeadId(2, 3), new HeadId(0, 1), new HeadId(2, 0)));
        m.write(dir, cfg);
        String json = Files.readString(dir.resolve(HeadMask.FILE));
        assertTrue(json.contains("\"2\" : [ 0, 3 ]"), json);
        assertEquals(m, HeadMask.read(dir, cfg));
        float[][] g = m.gates(cfg);
        assertArrayEquals(new float[]{1, 0, 1, 1}, g[0]);
        assertArrayEquals(new float[]{0, 1, 1, 0}, g[2]);
        // on a physically pruned config, gates follow the kept heads' columns
        EncoderConfig pruned = cfg.withPrunedHeads(java.util.Map.of(2, List.of(1)));
        assertArrayEquals(new float[]{0, 1, 0}, m.gates(pruned)[2]);
        HeadMask.NONE.write(dir, cfg);
        assertFalse(Files.exists(dir.resolve(HeadMask.FILE)));
    }

    @Test
    void badFilesAreNamed(@TempDir Path dir) throws Exception {
        Path f = dir.resolve(HeadMask.FILE);
        Files.writeString(f, "{\"format\":\"headlens-head-mask/1\",\"num_hidden_layers\":12,\"num_attention_heads\":12,\"masked_heads\":{}}");
        HeadlensException e = assertThrows(HeadlensException.class, () -> HeadMask.read(dir, cfg));
        assertTrue(e.getMessage().contains("12 layers × 12 heads") && e.getMessage().contains("3 × 4"), e.getMessage());
        Files.writeString(f, "{\"format\":\"headlens-head-mask/1\",\"num_hidden_layers\":3,\"num_attention_heads\":4,\"masked_heads\":{\"1\":[4]}}");
        e = assertThrows(HeadlensException.class, () -> HeadMask.read(dir, cfg));
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("head 1:4 does not exist"), e.getMessage());
        Files.writeString(f, "{\"format\":\"headlens-head-mask/1\",\"num_hidden_layers\":3,\"num_attention_heads\":4,\"masked_heads\":{\"1\":[2]}}");
        EncoderConfig pruned = cfg.withPrunedHeads(java.util.Map.of(1, List.of(2)));
        e = assertThrows(HeadlensException.class, () -> HeadMask.read(dir, pruned));
        assertTrue(e.getMessage().contains("physically pruned"), e.getMessage());
        Files.writeString(f, "{not json");
        e = assertThrows(HeadlensException.class, () -> HeadMask.read(dir, cfg));
        assertTrue(e.getMessage().contains("not readable JSON"), e.getMessage());
    }
}
