package headlens.eval;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Strict chunk decoding against the expected entities of seqeval's own test table (tests/test_scheme.py, seqeval 1.2:
 * test_iob1_tokens, test_iob2_tokens, test_ioe2_tokens, test_iobes_tokens and their "without tag" variants).
 * Row format: scheme; space-separated labels; expected entities as type:start:end (end exclusive), space-separated.
 */
class StrictSchemeTest {
    @ParameterizedTest(name = "{0} [{1}] -> [{2}]")
    @CsvSource(delimiter = ';', value = {
            // IOB1
            "IOB1; B-PER; ", "IOB1; I-PER; PER:0:1", "IOB1; O; ", "IOB1; O I-PER; PER:1:2", "IOB1; O B-PER; ",
            "IOB1; I-PER O; PER:0:1", "IOB1; I-PER I-PER; PER:0:2", "IOB1; I-PER I-ORG; PER:0:1 ORG:1:2",
            "IOB1; I-PER B-PER; PER:0:1 PER:1:2", "IOB1; I-PER B-ORG; PER:0:1", "IOB1; B-PER O; ",
            "IOB1; B-PER I-PER; PER:1:2", "IOB1; B-PER I-ORG; ORG:1:2", "IOB1; B-PER B-PER; PER:1:2", "IOB1; B-PER B-ORG; ",
            "IOB1; I B; _:0:1 _:1:2", "IOB1; B I; _:1:2",
            // IOB2
            "IOB2; B-PER; PER:0:1", "IOB2; I-PER; ", "IOB2; O I-PER; ", "IOB2; O B-PER; PER:1:2", "IOB2; I-PER O; ",
            "IOB2; I-PER I-PER; ", "IOB2; I-PER I-ORG; ", "IOB2; I-PER B-PER; PER:1:2", "IOB2; I-PER B-ORG; ORG:1:2",
            "IOB2; B-PER O; PER:0:1", "IOB2; B-PER I-PER; PER:0:2", "IOB2; B-PER I-ORG; PER:0:1",
            "IOB2; B-PER B-PER; PER:0:1 PER:1:2", "IOB2; B-PER B-ORG; PER:0:1 ORG:1:2", "IOB2; B I; _:0:2",
            // IOE2
            "IOE2; E-PER; PER:0:1", "IOE2; I-PER; ", "IOE2; O I-PER; ", "IOE2; O E-PER; PER:1:2", "IOE2; I-PER O; ",
            "IOE2; I-PER I-PER; ", "IOE2; I-PER I-ORG; ", "IOE2; I-PER E-PER; PER:0:2", "IOE2; I-PER E-ORG; ORG:1:2",
            "IOE2; E-PER O; PER:0:1", "IOE2; E-PER I-PER; PER:0:1", "IOE2; E-PER I-ORG; PER:0:1",
            "IOE2; E-PER E-PER; PER:0:1 PER:1:2", "IOE2; E-PER E-ORG; PER:0:1 ORG:1:2", "IOE2; I E; _:0:2",
            // IOE1
            "IOE1; E-PER; ", "IOE1; I-PER; PER:0:1", "IOE1; O I-PER; PER:1:2", "IOE1; O E-PER; ", "IOE1; I-PER O; PER:0:1",
            "IOE1; I-PER I-PER; PER:0:2", "IOE1; I-PER I-ORG; PER:0:1 ORG:1:2", "IOE1; I-PER E-ORG; PER:0:1",
            "IOE1; E-PER O; ", "IOE1; E-PER I-PER; PER:1:2", "IOE1; E-PER I-ORG; ORG:1:2", "IOE1; E-PER E-PER; ",
            "IOE1; E-PER E-ORG; ",
            // IOBES
            "IOBES; O; ", "IOBES; I-PER; ", "IOBES; B-PER; ", "IOBES; E-PER; ", "IOBES; S-PER; PER:0:1",
            "IOBES; O S-PER; PER:1:2", "IOBES; I-PER S-PER; PER:1:2", "IOBES; B-PER O; ", "IOBES; B-PER I-PER; ",
            "IOBES; B-PER B-PER; ", "IOBES; B-PER E-PER; PER:0:2", "IOBES; B-PER E-ORG; ", "IOBES; B-PER S-PER; PER:1:2",
            "IOBES; E-PER S-PER; PER:1:2", "IOBES; S-PER O; PER:0:1", "IOBES; S-PER I-PER; PER:0:1",
            "IOBES; S-PER B-PER; PER:0:1", "IOBES; S-PER E-PER; PER:0:1", "IOBES; S-PER S-PER; PER:0:1 PER:1:2",
            "IOBES; B E; _:0:2", "IOBES; S S; _:0:1 _:1:2",
    })
    void seqevalSchemeTable(String scheme, String labels, String expected) {
        List<Chunk> want = new ArrayList<>();
        if (expected != null)
            for (String e : expected.trim().split(" ")) {
                String[] f = e.split(":");
                want.add(new Chunk(f[0], 0, Integer.parseInt(f[1]), Integer.parseInt(f[2])));
            }
        List<String> seq = Arrays.asList(labels.trim().split(" "));
        assertEquals(want, ChunkDecoder.strict(seq, Scheme.valueOf(scheme), 0));
    }
}
