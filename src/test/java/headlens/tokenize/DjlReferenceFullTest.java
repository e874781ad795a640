package headlens.tokenize;

import org.junit.jupiter.api.Tag;

import java.io.IOException;
import java.util.List;

/** {@link DjlReferenceTest} over all 14,250 xSID test utterances of ../shared (about a minute). */
@Tag("slow")
class DjlReferenceFullTest extends DjlReferenceTest {
    @Override
    List<Corpus.Utterance> corpus() throws IOException { return Corpus.xsidTest(); }
}
