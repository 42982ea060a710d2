package dev.parity.features.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
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

    @Test
    void validationNamesTheBadField() {
        assertThatThrownBy(() -> valid().name("Bad-Name").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'name'")
                .hasMessageContaining("'Bad-Name'");
        assertThatThrownBy(() -> valid().key(null).build())
                .hasMessage("feature 'origin_delay_mean_6h': 'key' is required");
        assertThatThrownBy(() -> valid().window(null).build()).hasMessageContaining("'window'");
        assertThatThrownBy(() -> valid().events(EventType.DEPARTURE).build())
                .hasMessageContaining("'aggregation' MEAN_DELAY reads the delay")
                .hasMessageContaining("'events' is DEPARTURE");
        assertThatThrownBy(() -> valid().nullPolicy(NullPolicy.ZERO_WHEN_EMPTY).build())
                .hasMessageContaining("'nullPolicy' must be NULL_WHEN_EMPTY");
        assertThatThrownBy(() -> WindowSpec.sliding(Duration.ZERO))
                .hasMessageContaining("window length must be positive");
        assertThatThrownBy(() -> WindowSpec.trailingDays(0))
                .hasMessageContaining("trailing days must be positive");
    }

    @Test
    void aFeatureSetRejectsDuplicatesAndEmptiness() {
        FeatureDefinition f = valid().build();
        assertThatThrownBy(() -> FeatureSet.of("s", List.of(f, f), List.of()))
                .hasMessage("feature set 's': duplicate feature name 'origin_delay_mean_6h'");
        assertThatThrownBy(
                        () ->
                                FeatureSet.of(
                                        "s",
                                        List.of(f),
                                        List.of(ContextFeature.DEP_HOUR, ContextFeature.DEP_HOUR)))
                .hasMessage("feature set 's': duplicate context feature 'dep_hour'");
        assertThatThrownBy(() -> FeatureSet.of("s", List.of(), List.of()))
                .hasMessageContaining("'windowFeatures' must not be empty");
    }

    @Test
    void theFingerprintIsStableAndChangesWithOrderOrDefinition() {
        FeatureSet a = FlightFeatures.standard();
        assertThat(FlightFeatures.standard().fingerprint()).isEqualTo(a.fingerprint()).hasSize(64);

        List<FeatureDefinition> reversed = new java.util.ArrayList<>(a.windowFeatures());
        java.util.Collections.reverse(reversed);
        assertThat(FeatureSet.of(a.name(), reversed, a.contextFeatures()).fingerprint())
                .isNotEqualTo(a.fingerprint());

        FeatureDefinition longer = valid().window(WindowSpec.sliding(Duration.ofHours(7))).build();
        assertThat(FeatureSet.of("s", List.of(longer), List.of()).fingerprint())
                .isNotEqualTo(
                        FeatureSet.of("s", List.of(valid().build()), List.of()).fingerprint());
    }

    @Test
    void theStandardSetIsDesignSectionThreeInOrder() {
        FeatureSet set = FlightFeatures.standard();
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
        assertThat(set.windowFeatures().get(5).window().isDaily()).isTrue();
    }
}
