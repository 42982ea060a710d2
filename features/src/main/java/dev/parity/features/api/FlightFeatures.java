package dev.parity.features.api;

import dev.parity.features.spec.BundledSpec;
import dev.parity.features.spec.FeatureSpec;
import java.time.Duration;
import java.util.List;

/**
 * The reference feature set of examples/flights/README.md: six window features, three context
 * features.
 */
public final class FlightFeatures {
    public static final String SET_NAME = "flights_v1";

    private FlightFeatures() {}

    /**
     * Where the flights spec is on the classpath (the jar carries examples/flights/flights.yaml).
     */
    public static final String SPEC_RESOURCE = BundledSpec.FLIGHTS_RESOURCE;

    /** The bundled flights spec, which {@link #standard()} computes exactly. */
    public static FeatureSpec spec() {
        return Bundled.SPEC;
    }

    private static final class Bundled {
        static final FeatureSpec SPEC = BundledSpec.flights();
        static final FeatureSet STANDARD = builtIn().identifiedAs(SPEC.name(), SPEC.fingerprint());
    }

    /**
     * The standard set, in training-file column order. It is the flights spec ({@link #spec()}),
     * and carries the spec's fingerprint: a model trained with or without {@code --spec
     * examples/flights/flights.yaml} serves both ({@code FlightsSpecTest} proves the two equal
     * feature by feature, {@code FlightsSpecEngineTest} byte for byte).
     */
    public static FeatureSet standard() {
        return Bundled.STANDARD;
    }

    private static FeatureSet builtIn() {
        return FeatureSet.of(
                SET_NAME,
                List.of(
                        count("origin_dep_1h", KeySpec.ORIGIN, EventType.DEPARTURE, hours(1)),
                        count("dest_arr_1h", KeySpec.DEST, EventType.ARRIVAL, hours(1)),
                        meanDelay("origin_delay_mean_6h", KeySpec.ORIGIN, hours(6)),
                        meanDelay("dest_delay_mean_1h", KeySpec.DEST, hours(1)),
                        meanDelay(
                                "route_delay_mean_7d",
                                KeySpec.ROUTE,
                                WindowSpec.sliding(Duration.ofDays(7))),
                        meanDelay(
                                "origin_delay_mean_30d_daily",
                                KeySpec.ORIGIN,
                                WindowSpec.trailingDays(30))),
                List.of(ContextFeature.DISTANCE, ContextFeature.DEP_HOUR, ContextFeature.DEP_DOW));
    }

    /** Name of {@link #online()}. */
    public static final String ONLINE_SET_NAME = "flights_online_v1";

    /**
     * The online set (the online mode, docs/ARCHITECTURE.md): only what a daily snapshot serves
     * exactly, the daily feature {@code origin_delay_mean_30d_daily} (same definition as in {@link
     * #standard()}), plus the request's context. Its values at serving time equal the training
     * file's column of the same name for every flight, so a model fitted on that column is trained
     * on exactly what it is served.
     */
    public static FeatureSet online() {
        return FeatureSet.of(
                ONLINE_SET_NAME,
                List.of(
                        meanDelay(
                                "origin_delay_mean_30d_daily",
                                KeySpec.ORIGIN,
                                WindowSpec.trailingDays(30))),
                List.of(ContextFeature.DISTANCE, ContextFeature.DEP_HOUR, ContextFeature.DEP_DOW));
    }

    /**
     * The set called {@code name}: {@code standard} or {@value #SET_NAME} for {@link #standard()},
     * {@code online} or {@value #ONLINE_SET_NAME} for {@link #online()}.
     *
     * @throws IllegalArgumentException naming the accepted values for anything else
     */
    public static FeatureSet named(String name) {
        switch (name) {
            case "standard":
            case SET_NAME:
                return standard();
            case "online":
            case ONLINE_SET_NAME:
                return online();
            default:
                throw new IllegalArgumentException(
                        "unknown feature set '"
                                + name
                                + "'; expected standard ("
                                + SET_NAME
                                + ") or online ("
                                + ONLINE_SET_NAME
                                + ")");
        }
    }

    /**
     * {@link #named}, with a failure's message prefixed by {@code option}, e.g. "--features-set".
     */
    public static FeatureSet named(String option, String name) {
        try {
            return named(name);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option + ": " + e.getMessage(), e);
        }
    }

    private static WindowSpec hours(int h) {
        return WindowSpec.sliding(Duration.ofHours(h));
    }

    private static FeatureDefinition count(
            String name, KeySpec key, EventType events, WindowSpec window) {
        return FeatureDefinition.builder()
                .name(name)
                .key(key)
                .events(events)
                .window(window)
                .aggregation(Aggregation.COUNT)
                .nullPolicy(NullPolicy.ZERO_WHEN_EMPTY)
                .build();
    }

    private static FeatureDefinition meanDelay(String name, KeySpec key, WindowSpec window) {
        return FeatureDefinition.builder()
                .name(name)
                .key(key)
                .events(EventType.ARRIVAL)
                .window(window)
                .aggregation(Aggregation.MEAN_DELAY)
                .nullPolicy(NullPolicy.NULL_WHEN_EMPTY)
                .build();
    }
}
