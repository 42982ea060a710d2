package dev.parity.features;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The spec model and the aggregation core are plain Java, so the batch and the streaming runner
 * (and any future engine) share them unchanged. Only {@code engine} may use Flink and the
 * Parquet/Avro/Hadoop stack.
 */
class ArchitectureTest {
    private static final String[] ENGINE_NEUTRAL = {
        "dev.parity.features.agg..", "dev.parity.features.spec.."
    };

    private static final String[] ENGINE_PACKAGES = {
        "org.apache.flink..", "org.apache.avro..", "org.apache.parquet..", "org.apache.hadoop.."
    };

    private static JavaClasses production;

    @BeforeAll
    static void importClasses() {
        production =
                new ClassFileImporter()
                        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                        .importPackages("dev.parity.features");
    }

    private static ArchRule engineNeutralRule() {
        return noClasses()
                .that()
                .resideInAnyPackage(ENGINE_NEUTRAL)
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(ENGINE_PACKAGES)
                .because("the feature core is engine-neutral (STYLE habit 4)");
    }

    @Test
    void importedTheProductionClasses() {
        assertThat(production.contain("dev.parity.features.agg.Aggregator")).isTrue();
        assertThat(production.contain("dev.parity.features.spec.FeatureSpec")).isTrue();
        assertThat(production.contain("dev.parity.features.engine.GroupFunction")).isTrue();
        assertThat(production.stream().map(c -> c.getPackageName()))
                .doesNotContain("dev.parity.features.reference");
    }

    @Test
    void coreDoesNotDependOnFlinkOrTheParquetStack() {
        engineNeutralRule().check(production);
    }

    @Test
    void theRuleWouldCatchAViolation() {
        // the engine package is the one place allowed to use Flink: the same rule over it must fail
        EvaluationResult result =
                noClasses()
                        .that()
                        .resideInAPackage("dev.parity.features.engine..")
                        .should()
                        .dependOnClassesThat()
                        .resideInAnyPackage(ENGINE_PACKAGES)
                        .evaluate(production);

        assertThat(result.hasViolation()).isTrue();
    }
}
