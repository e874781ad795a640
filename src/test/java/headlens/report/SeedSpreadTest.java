package headlens.report;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The seed spread against closed forms: with 2 degrees of freedom χ² has the quantile −2 ln(1 − p) and Student's t
 * (2p − 1) / √(2p(1 − p)); with 1, t is tan(π(p − ½)).
 */
class SeedSpreadTest {
    @Test
    void twoTrialsAgainstTheClosedForms() {
        SeedSpread s = SeedSpread.of(List.of("lowest k = 4", "random k = 4"), List.of(0.03, -0.01));
        double var = (0.03 * 0.03 + 0.01 * 0.01) / 4;   // Σd² / 2n
        assertEquals(Math.sqrt(var), s.sigma(), 1e-15);
        assertEquals(Math.sqrt(2 * var / (-2 * Math.log(0.025))), s.lower(), 1e-9);
        assertEquals(Math.sqrt(2 * var / (-2 * Math.log(0.975))), s.upper(), 1e-9);
        double t = 0.95 / Math.sqrt(2 * 0.975 * 0.025);
        assertEquals(t, s.t(), 1e-9);
        assertEquals(2, s.n());
        // a mean Δ of +2 points whose sentence interval is [+1, +3]: se = 2 / 3.92
        double se = 0.02 / (2 * 1.959963984540054), half = t * Math.sqrt(var + se * se);
        assertArrayEquals(new double[]{0.02 - half, 0.02 + half}, s.interval(0.02, new PairedBootstrap.Interval(0.02, 0.01, 0.03, 100)), 1e-9);
        assertArrayEquals(new double[]{0.02 - t * s.sigma(), 0.02 + t * s.sigma()}, s.interval(0.02, null), 1e-9);
    }

    @Test
    void oneTrialHasTheCauchyQuantile() {
        SeedSpread s = SeedSpread.of(List.of("lowest k = 2"), List.of(-0.04));
        assertEquals(0.04 / Math.sqrt(2), s.sigma(), 1e-15);
        assertEquals(Math.tan(Math.PI * 0.475), s.t(), 1e-8);
    }

    @Test
    void needsOneDifferencePerTrial() {
        assertThrows(IllegalArgumentException.class, () -> SeedSpread.of(List.of(), List.of()));
        assertThrows(IllegalArgumentException.class, () -> SeedSpread.of(List.of("lowest k = 1"), List.of(0.1, 0.2)));
    }
}
