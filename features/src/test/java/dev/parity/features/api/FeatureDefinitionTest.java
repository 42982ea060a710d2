package dev.parity.features.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FeatureDefinitionTest {

    private static FeatureDefinition.Builder valid() {
        return FeatureDefinition.builder()
                .name("origin_delay_mean_6h")
                .key(KeySpec.ORIGIN)
                .events(EventType.ARRIVAL)
                .window(WindowSpec.sliding(Duration.ofHours(6)))
                .aggregation(Aggregation.MEAN_DELAY)
                .nullPolicy(NullPolicy.NULL_WHEN_EMPTY);
    }

    private static FeatureDefinition count(String name, Duration window) {
        return FeatureDefinition.builder()
                .name(name)
                .key(KeySpec.ORIGIN)
                .events(EventType.DEPARTURE)
                .window(WindowSpec.sliding(window))
                .aggregation(Aggregation.COUNT)
                .nullPolicy(NullPolicy.ZERO_WHEN_EMPTY)
                .build();
    }

    @Test
    void buildsAValidDefinition() {
        FeatureDefinition f = valid().build();

        assertThat(f.name()).isEqualTo("origin_delay_mean_6h");
        assertThat(f.key()).isEqualTo(KeySpec.ORIGIN);
        assertThat(f.events()).isEqualTo(EventType.ARRIVAL);
        assertThat(f.window()).isEqualTo(WindowSpec.sliding(Duration.ofHours(6)));
        assertThat(f.aggregation()).isEqualTo(Aggregation.MEAN_DELAY);
        assertThat(f.nullPolicy()).isEqualTo(NullPolicy.NULL_WHEN_EMPTY);
        assertThat(f.describe())
                .isEqualTo(
                        "origin_delay_mean_6h key=origin events=arrival window=sliding(PT6H)"
                                + " agg=mean_delay nulls=null_when_empty");
    }

    @Test
    void missingNameIsNamed() {
        assertThatThrownBy(() -> valid().name(null).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'name'")
                .hasMessageContaining("null");
    }

    @Test
    void badNameIsNamedAndQuoted() {
        for (String bad : List.of("", "Origin", "1h_count", "origin-dep", "origin dep")) {
            assertThatThrownBy(() -> valid().name(bad).build())
                    .as("name %s", bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("'name'")
                    .hasMessageContaining("'" + bad + "'");
        }
    }

    @Test
    void missingKeyIsNamed() {
        assertThatThrownBy(() -> valid().key(null).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("origin_delay_mean_6h")
                .hasMessageContaining("'key'");
    }

    @Test
    void missingEventsIsNamed() {
        assertThatThrownBy(() -> valid().events(null).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'events'");
    }

    @Test
    void missingWindowIsNamed() {
        assertThatThrownBy(() -> valid().window(null).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'window'");
    }

    @Test
    void missingAggregationIsNamed() {
        assertThatThrownBy(() -> valid().aggregation(null).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'aggregation'");
    }

    @Test
    void missingNullPolicyIsNamed() {
        assertThatThrownBy(() -> valid().nullPolicy(null).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'nullPolicy'");
    }

    @Test
    void meanDelayOnDeparturesIsRejected() {
        assertThatThrownBy(() -> valid().events(EventType.DEPARTURE).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'aggregation'")
                .hasMessageContaining("MEAN_DELAY")
                .hasMessageContaining("DEPARTURE");
    }

    @Test
    void meanWithZeroWhenEmptyIsRejected() {
        assertThatThrownBy(() -> valid().nullPolicy(NullPolicy.ZERO_WHEN_EMPTY).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'nullPolicy'")
                .hasMessageContaining("NULL_WHEN_EMPTY");
    }

    @Test
    void countMayUseEitherNullPolicyAndEitherEventType() {
        FeatureDefinition f =
                valid().events(EventType.DEPARTURE)
                        .aggregation(Aggregation.COUNT)
                        .nullPolicy(NullPolicy.ZERO_WHEN_EMPTY)
                        .build();
        assertThat(f.aggregation()).isEqualTo(Aggregation.COUNT);
        assertThat(valid().aggregation(Aggregation.COUNT).build().events())
                .isEqualTo(EventType.ARRIVAL);
    }

    @Test
    void featureSetRejectsEmptyWindowFeatures() {
        assertThatThrownBy(() -> FeatureSet.of("s", List.of(), List.of(ContextFeature.DISTANCE)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'windowFeatures'");
        assertThatThrownBy(() -> FeatureSet.of("s", null, List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'windowFeatures'");
    }

    @Test
    void featureSetRequiresAName() {
        List<FeatureDefinition> fs = List.of(count("a", Duration.ofHours(1)));
        assertThatThrownBy(() -> FeatureSet.of(" ", fs, List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'name'");
    }

    @Test
    void featureSetRejectsDuplicateWindowFeatureNames() {
        List<FeatureDefinition> fs =
                List.of(count("a", Duration.ofHours(1)), count("a", Duration.ofHours(2)));
        assertThatThrownBy(() -> FeatureSet.of("s", fs, List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("duplicate")
                .hasMessageContaining("'a'");
    }

    @Test
    void featureSetRejectsAWindowFeatureNamedLikeAContextFeature() {
        List<FeatureDefinition> fs = List.of(count("distance", Duration.ofHours(1)));
        assertThatThrownBy(() -> FeatureSet.of("s", fs, List.of(ContextFeature.DISTANCE)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'distance'");
    }

    @Test
    void featureSetRejectsDuplicateContextFeatures() {
        List<FeatureDefinition> fs = List.of(count("a", Duration.ofHours(1)));
        assertThatThrownBy(
                        () ->
                                FeatureSet.of(
                                        "s",
                                        fs,
                                        List.of(ContextFeature.DISTANCE, ContextFeature.DISTANCE)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'distance'");
    }

    @Test
    void featureSetRequiresContextFeaturesList() {
        List<FeatureDefinition> fs = List.of(count("a", Duration.ofHours(1)));
        assertThatThrownBy(() -> FeatureSet.of("s", fs, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'contextFeatures'");
        assertThat(FeatureSet.of("s", fs, List.of()).inputColumns()).containsExactly("a");
    }

    @Test
    void featureSetCopiesItsInput() {
        List<FeatureDefinition> fs = new ArrayList<>(List.of(count("a", Duration.ofHours(1))));
        FeatureSet set = FeatureSet.of("s", fs, List.of());
        String before = set.fingerprint();
        fs.add(count("b", Duration.ofHours(1)));

        assertThat(set.windowFeatures()).hasSize(1);
        assertThat(set.fingerprint()).isEqualTo(before);
    }

    @Test
    void fingerprintIsStableAndHex() {
        String a = FlightFeatures.standard().fingerprint();
        String b = FlightFeatures.standard().fingerprint();

        assertThat(a).isEqualTo(b).matches("[0-9a-f]{64}");
    }

    @Test
    void fingerprintChangesWithOrder() {
        FeatureDefinition a = count("a", Duration.ofHours(1));
        FeatureDefinition b = count("b", Duration.ofHours(1));
        List<ContextFeature> ctx = List.of(ContextFeature.DISTANCE);

        assertThat(FeatureSet.of("s", List.of(a, b), ctx).fingerprint())
                .isNotEqualTo(FeatureSet.of("s", List.of(b, a), ctx).fingerprint());
        assertThat(
                        FeatureSet.of(
                                        "s",
                                        List.of(a),
                                        List.of(ContextFeature.DEP_HOUR, ContextFeature.DEP_DOW))
                                .fingerprint())
                .isNotEqualTo(
                        FeatureSet.of(
                                        "s",
                                        List.of(a),
                                        List.of(ContextFeature.DEP_DOW, ContextFeature.DEP_HOUR))
                                .fingerprint());
    }

    @Test
    void fingerprintChangesWithAWindow() {
        List<ContextFeature> ctx = List.of(ContextFeature.DISTANCE);
        String oneHour =
                FeatureSet.of("s", List.of(count("a", Duration.ofHours(1))), ctx).fingerprint();
        String twoHours =
                FeatureSet.of("s", List.of(count("a", Duration.ofHours(2))), ctx).fingerprint();
        String sameHour =
                FeatureSet.of("s", List.of(count("a", Duration.ofHours(1))), ctx).fingerprint();

        assertThat(oneHour).isNotEqualTo(twoHours).isEqualTo(sameHour);
    }

    @Test
    void standardSetHasTheDesignFeaturesInOrder() {
        FeatureSet set = FlightFeatures.standard();

        assertThat(set.name()).isEqualTo(FlightFeatures.SET_NAME);
        assertThat(set.windowFeatures())
                .extracting(FeatureDefinition::name)
                .containsExactly(
                        "origin_dep_1h",
                        "dest_arr_1h",
                        "origin_delay_mean_6h",
                        "dest_delay_mean_1h",
                        "route_delay_mean_7d",
                        "origin_delay_mean_30d_daily");
        assertThat(set.contextFeatures())
                .containsExactly(
                        ContextFeature.DISTANCE, ContextFeature.DEP_HOUR, ContextFeature.DEP_DOW);
        assertThat(set.inputColumns())
                .containsExactly(
                        "distance",
                        "dep_hour",
                        "dep_dow",
                        "origin_dep_1h",
                        "dest_arr_1h",
                        "origin_delay_mean_6h",
                        "dest_delay_mean_1h",
                        "route_delay_mean_7d",
                        "origin_delay_mean_30d_daily");
        assertThat(set.indexOf("route_delay_mean_7d")).isEqualTo(4);
        assertThat(set.indexOf("nope")).isEqualTo(-1);
    }

    @Test
    void standardSetDefinitionsMatchTheDesignTable() {
        FeatureSet set = FlightFeatures.standard();
        List<String> described = new ArrayList<>();
        for (FeatureDefinition f : set.windowFeatures()) {
            described.add(f.describe());
        }

        assertThat(described)
                .containsExactly(
                        "origin_dep_1h key=origin events=departure window=sliding(PT1H)"
                                + " agg=count nulls=zero_when_empty",
                        "dest_arr_1h key=dest events=arrival window=sliding(PT1H)"
                                + " agg=count nulls=zero_when_empty",
                        "origin_delay_mean_6h key=origin events=arrival window=sliding(PT6H)"
                                + " agg=mean_delay nulls=null_when_empty",
                        "dest_delay_mean_1h key=dest events=arrival window=sliding(PT1H)"
                                + " agg=mean_delay nulls=null_when_empty",
                        "route_delay_mean_7d key=route events=arrival window=sliding(PT168H)"
                                + " agg=mean_delay nulls=null_when_empty",
                        "origin_delay_mean_30d_daily key=origin events=arrival"
                                + " window=trailing_days(30) agg=mean_delay nulls=null_when_empty");
        assertThat(set.windowFeatures().get(5).window().isDaily()).isTrue();
        assertThat(set.windowFeatures().subList(0, 5))
                .allSatisfy(f -> assertThat(f.window().isDaily()).isFalse());
    }
}
