package headlens;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.Architectures.LayeredArchitecture;
import com.tngtech.archunit.library.dependencies.SliceRule;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The package layering of headlens' main classes ({@code src/main/java} and {@code weights-converter/}), bottom to top;
 * a package may use only packages below it:
 * <ol>
 *   <li>{@code core}: exceptions ({@code HeadlensException}), atomic outputs ({@code AtomicFiles}), the shared JSON
 *       mappers ({@code Json}); uses no other headlens package</li>
 *   <li>{@code config} (the encoder's {@code config.json}), {@code tokenize}, {@code io} (.npz), {@code backend}
 *       (ND4J natives, GPUs): each on {@code core} only, not on each other</li>
 *   <li>{@code convert}: checkpoint formats and the converter ({@code weights-converter/}); on {@code core},
 *       {@code config} and {@code tokenize} only (its tokenizer.json writer reads SentencePiece models)</li>
 *   <li>{@code model}: the SameDiff encoder, its heads ({@code HeadId}, {@code HeadLayout}, {@code HeadMask}) and
 *       model sources</li>
 *   <li>{@code data}, then {@code eval}</li>
 *   <li>{@code train}: classifier, trainer, run directories</li>
 *   <li>{@code tagger}: the one tagger API (load, predict, score) over a fine-tuned model directory</li>
 *   <li>{@code heads}: importance, pruning, charts</li>
 *   <li>{@code report}, then {@code sweep} (the experiment runner)</li>
 *   <li>{@code cli}: the commands; nothing uses it</li>
 * </ol>
 * Every main class lies in one of these packages, and no two top-level packages depend on each other in a cycle.
 */
class ArchitectureTest {
    /** Bottom to top; one entry = one layer, packages of one entry (the foundation) may not use each other. */
    static final List<List<String>> LAYERS = List.of(
            List.of("core"),
            List.of("config", "tokenize", "io", "backend"),
            List.of("convert"),
            List.of("model"),
            List.of("data"),
            List.of("eval"),
            List.of("train"),
            List.of("tagger"),
            List.of("heads"),
            List.of("report"),
            List.of("sweep"),
            List.of("cli"));

    static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("headlens");

    static String layerName(String pkg) { return pkg.substring(0, 1).toUpperCase(Locale.ROOT) + pkg.substring(1); }

    static LayeredArchitecture layers() {
        LayeredArchitecture a = layeredArchitecture().consideringOnlyDependenciesInLayers();
        for (List<String> layer : LAYERS)
            for (String p : layer)
                a = a.layer(layerName(p)).definedBy("headlens." + p + "..");
        List<String> below = new ArrayList<>();
        for (List<String> layer : LAYERS) {
            for (String p : layer) {
                a = below.isEmpty() ? a.whereLayer(layerName(p)).mayNotAccessAnyLayer()
                        : a.whereLayer(layerName(p)).mayOnlyAccessLayers(below.toArray(String[]::new));
            }
            for (String p : layer) below.add(layerName(p));
        }
        return a.ensureAllClassesAreContainedInArchitecture();
    }

    static SliceRule noCycles() {
        return slices().matching("headlens.(*)..").should().beFreeOfCycles();
    }

    @Test
    void bothSourceFoldersAreChecked() {
        assertAll(
                () -> assertTrue(MAIN.contain("headlens.cli.Main"), "src/main/java"),
                () -> assertTrue(MAIN.contain("headlens.convert.Converter"), "weights-converter/src/main/java"),
                () -> assertFalse(MAIN.contain(ArchitectureTest.class), "tests are not part of the layering"));
    }

    @Test
    void coreUsesNoOtherHeadlensPackage() {
        noClasses().that().resideInAPackage("headlens.core..")
                .should().dependOnClassesThat(resideInAPackage("headlens..").and(not(resideInAPackage("headlens.core.."))))
                .check(MAIN);
    }

    @Test
    void theConverterUsesOnlyCoreConfigAndTokenize() {
        noClasses().that().resideInAPackage("headlens.convert..")
                .should().dependOnClassesThat(resideInAPackage("headlens..").and(not(resideInAnyPackage(
                        "headlens.convert..", "headlens.core..", "headlens.config..", "headlens.tokenize.."))))
                .check(MAIN);
    }

    @Test
    void packagesUseOnlyTheLayersBelowThem() {
        layers().check(MAIN);
    }

    @Test
    void noCycleBetweenTopLevelPackages() {
        noCycles().check(MAIN);
    }
}
