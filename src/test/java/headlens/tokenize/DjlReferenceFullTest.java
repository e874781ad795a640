package headlens.tokenize;

import org.junit.jupiter.api.Tag;

/** {@link DjlReferenceTest} over all 14,250 utterances (about a minute). */
@Tag("slow")
class DjlReferenceFullTest extends DjlReferenceTest {
    @Override
    int step() { return 1; }
}
