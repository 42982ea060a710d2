package dev.parity.features.spec;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The specs the tests read: docs/SPEC.md's payments example and the repository's flights spec. */
final class TestingSpecs {
    static final String FLIGHTS_RELATIVE_PATH = "examples/flights/flights.yaml";

    private TestingSpecs() {}

    /** docs/SPEC.md's single-kind example, exactly as written there. */
    static String paymentsYaml() {
        try (InputStream in = TestingSpecs.class.getResourceAsStream("payments_v1.yaml")) {
            if (in == null) {
                throw new IllegalStateException("payments_v1.yaml is not on the test class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static FeatureSpec payments() {
        return FeatureSpec.parse(paymentsYaml(), "payments_v1.yaml");
    }

    /** {@code examples/flights/flights.yaml}, found from any module's working directory. */
    static Path flightsPath() {
        Path dir = Path.of("").toAbsolutePath();
        for (Path d = dir; d != null; d = d.getParent()) {
            Path candidate = d.resolve(FLIGHTS_RELATIVE_PATH);
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException(FLIGHTS_RELATIVE_PATH + " not found above " + dir);
    }

    static String flightsYaml() {
        try {
            return Files.readString(flightsPath(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
