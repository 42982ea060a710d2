package dev.parity.features.spec;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The spec a command runs without {@code --spec}: the flights reference workload, {@code
 * examples/flights/flights.yaml}, packaged into the features jar as the resource {@value
 * #FLIGHTS_RESOURCE}, so a job on a cluster finds it without a file.
 */
public final class BundledSpec {
    /** The classpath resource holding {@code examples/flights/flights.yaml}. */
    public static final String FLIGHTS_RESOURCE = "examples/flights/flights.yaml";

    private BundledSpec() {}

    /** The flights spec, read and validated once. */
    public static FeatureSpec flights() {
        return Flights.SPEC;
    }

    private static final class Flights {
        static final FeatureSpec SPEC = load(FLIGHTS_RESOURCE);
    }

    private static FeatureSpec load(String resource) {
        try (InputStream in = BundledSpec.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("resource " + resource + " is missing");
            }
            return FeatureSpec.parse(
                    new String(in.readAllBytes(), StandardCharsets.UTF_8), resource);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read resource " + resource, e);
        }
    }
}
