package dev.parity.tests.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parity.jobs.kafka.EmbeddedKafka;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A few seeds of the chaos run in CI (the rest, 50 and more, run as the {@code ChaosBenchmark}
 * script; results in docs/BENCHMARKS.md). For any arrival pattern: no silent difference from the
 * backfill, no flight missing, none predicted twice.
 */
class ChaosParityITCase {
    private static EmbeddedKafka kafka;
    private static ChaosRun.Reference reference;

    @TempDir static Path tmp;

    @BeforeAll
    static void setUp() throws Exception {
        kafka = EmbeddedKafka.start();
        reference = new ChaosRun.Reference(tmp);
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (kafka != null) {
            kafka.close();
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3})
    void everyDifferenceFromTheBackfillIsExplained(long seed) throws Exception {
        ChaosRun.Result r = ChaosRun.run(kafka, reference, seed);
        if (System.getenv("CHAOS_DUMP") != null) {
            java.nio.file.Files.write(
                    Path.of(System.getenv("CHAOS_DUMP") + seed),
                    kafka.readAllCommitted(r.prefix + ".late").stream()
                            .map(x -> new String(x.value()))
                            .toList());
        }
        System.out.println("[chaos] " + r);
        LatenessRun.Verdict v = r.verdict;
        assertThat(v.silentExamples).as("silent differences, %s", r).isEmpty();
        assertThat(v.missingExamples).as("flights neither predicted nor reported, %s", r).isEmpty();
        assertThat(v.duplicates).as("duplicates, %s", r).isZero();
        assertThat(v.accounted()).isEqualTo(ChaosRun.FLIGHTS);
    }
}
