package dev.parity.features.spec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parity.features.agg.AggregationKind;
import dev.parity.features.engine.SpecPlan;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code examples/flights/flights.yaml} is today's hard-wired flights feature set, as a spec. */
class FlightsSpecTest {
    private static final String HEADER =
            "id,dep_time,origin,dest,distance,dep_hour,dep_dow,origin_dep_1h,dest_arr_1h,"
                    + "origin_delay_mean_6h,dest_delay_mean_1h,route_delay_mean_7d,"
                    + "origin_delay_mean_30d_daily,delay";

    private final FeatureSpec spec = FeatureSpec.load(TestingSpecs.flightsPath());

    @Test
    void outputHeaderIsTodaysFeaturesCsvHeader() {
        assertThat(String.join(",", spec.outputHeader())).isEqualTo(HEADER);
    }

    @Test
    void namesTheStandardSet() {
        assertThat(spec.name()).isEqualTo("flights_v1");
    }

    @Test
    void theBundledSpecIsTheExamplesFile() {
        // the jar's copy is the example's file: same fingerprint, same model inputs
        assertThat(BundledSpec.flights().fingerprint()).isEqualTo(spec.fingerprint());
        assertThat(SpecPlan.of(BundledSpec.flights()).modelInputs())
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
    }

    /**
     * The feature table of examples/flights/README.md: name, event, key, window, mean (else count).
     */
    private static final Object[][] TABLE = {
        {"origin_dep_1h", "departure", List.of("origin"), Duration.ofHours(1), false, false},
        {"dest_arr_1h", "arrival", List.of("dest"), Duration.ofHours(1), false, false},
        {"origin_delay_mean_6h", "arrival", List.of("origin"), Duration.ofHours(6), false, true},
        {"dest_delay_mean_1h", "arrival", List.of("dest"), Duration.ofHours(1), false, true},
        {
            "route_delay_mean_7d",
            "arrival",
            List.of("origin", "dest"),
            Duration.ofDays(7),
            false,
            true
        },
        {
            "origin_delay_mean_30d_daily",
            "arrival",
            List.of("origin"),
            Duration.ofDays(30),
            true,
            true
        },
    };

    @Test
    void featuresAreTheReadmesTable() {
        assertThat(spec.features()).hasSize(TABLE.length);
        for (int i = 0; i < TABLE.length; i++) {
            Object[] want = TABLE[i];
            FeatureDef got = spec.features().get(i);
            String what = (String) want[0];
            assertThat(got.name()).as(what).isEqualTo(want[0]);
            assertThat(got.event()).as(what).isEqualTo(want[1]);
            assertThat(got.key()).as(what).isEqualTo(want[2]);
            Window w = got.window();
            assertThat(w.isDaily()).as(what).isEqualTo(want[4]);
            assertThat(w.isDaily() ? Duration.ofDays(w.days()) : w.length())
                    .as(what)
                    .isEqualTo(want[3]);
            if ((boolean) want[5]) {
                assertThat(got.aggregation()).as(what).isEqualTo(AggregationKind.MEAN);
                assertThat(got.value()).as(what).contains("delay");
                assertThat(got.resultType()).as(what).isEqualTo(FieldType.DOUBLE);
            } else {
                assertThat(got.aggregation()).as(what).isEqualTo(AggregationKind.COUNT);
                assertThat(got.value()).as(what).isEmpty();
                assertThat(got.resultType()).as(what).isEqualTo(FieldType.LONG);
            }
        }
    }

    @Test
    void contextAndLabelAreTodaysColumns() {
        Query q = spec.query();
        assertThat(q.event()).isEqualTo("departure");
        // today's file writes dep_time, origin, dest, then the context features, then delay
        assertThat(q.context())
                .extracting(ContextField::name)
                .containsExactly("dep_time", "origin", "dest", "distance", "dep_hour", "dep_dow");
        assertThat(q.context())
                .extracting(ContextField::type)
                .containsExactly(
                        FieldType.TIMESTAMP,
                        FieldType.STRING,
                        FieldType.STRING,
                        FieldType.LONG,
                        FieldType.LONG,
                        FieldType.LONG);
        Label label = q.label().orElseThrow();
        assertThat(label.name()).isEqualTo("delay");
        assertThat(label.event()).isEqualTo("arrival");
        assertThat(label.fromQueryEvent()).isFalse();
    }

    @Test
    void sourceTurnsTheFlightsRowIntoBothEvents() {
        Source source = spec.source().orElseThrow();
        assertThat(String.join(",", source.fields().keySet()))
                .isEqualTo("id,date,delay,distance,origin,destination");
        assertThat(source.emits())
                .extracting(Source.Emit::event)
                .containsExactly("departure", "arrival");
        Map<String, SpecExpression> departure = source.emits().get(0).values();
        assertThat(departure.get("time").fieldReference()).contains("date");
        assertThat(departure.get("dest").fieldReference()).contains("destination");
        SpecExpression arrivalTime = source.emits().get(1).values().get("time");
        assertThat(arrivalTime.fieldReference()).isEmpty();
        assertThat(arrivalTime.type()).isEqualTo(FieldType.TIMESTAMP);
        assertThat(arrivalTime.inputs()).containsExactly("date", "delay", "distance");
    }
}
