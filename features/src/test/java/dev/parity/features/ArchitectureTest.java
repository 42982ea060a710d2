package dev.parity.features;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The feature definitions and the aggregation core stay engine-neutral: plain Java only. */
class ArchitectureTest {
    private static final JavaClasses MAIN =
            new ClassFileImporter()
                    .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                    .importPackages("dev.parity.features");

    @Test
    void coreApiEventsAndIoDoNotDependOnFlinkOrItsFormats() {
        noClasses()
                .that()
                .resideInAnyPackage(
                        "dev.parity.features.api..",
                        "dev.parity.features.core..",
                        "dev.parity.features.events..",
                        "dev.parity.features.io..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "org.apache.flink..",
                        "org.apache.avro..",
                        "org.apache.parquet..",
                        "org.apache.hadoop..")
                .because("the aggregation core must be runnable by any engine (STYLE habit 4)")
                .check(MAIN);
    }

    @Test
    void theCoreDoesNotReachIntoTheFlinkAdapter() {
        noClasses()
                .that()
                .resideInAnyPackage("dev.parity.features.core..", "dev.parity.features.api..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("dev.parity.features.flink..")
                .check(MAIN);
    }
}
