package dev.parity.features.spec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parity.features.agg.AggregationKind;
import dev.parity.features.api.Aggregation;
import dev.parity.features.api.ContextFeature;
import dev.parity.features.api.EventType;
import dev.parity.features.api.FeatureDefinition;
import dev.parity.features.api.FeatureSet;
import dev.parity.features.api.FlightFeatures;
import dev.parity.features.api.KeySpec;
import dev.parity.features.api.WindowSpec;
import dev.parity.features.io.FeatureCsv;
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
        assertThat(String.join(",", spec.outputHeader()))
                .isEqualTo(new FeatureCsv(FlightFeatures.standard()).header());
    }

    @Test
    void namesTheStandardSet() {
        assertThat(spec.name()).isEqualTo(FlightFeatures.SET_NAME);
    }

    @Test
    void theStandardSetIsTheBundledSpecUnderItsFingerprint() {
        // the jar's copy is the example's file, and the built-in set carries its fingerprint
        assertThat(FlightFeatures.spec().fingerprint()).isEqualTo(spec.fingerprint());
        assertThat(FlightFeatures.standard().fingerprint()).isEqualTo(spec.fingerprint());
        assertThat(FlightFeatures.online().fingerprint()).isNotEqualTo(spec.fingerprint());
        assertThat(FlightFeatures.standard().inputColumns())
                .isEqualTo(dev.parity.features.engine.SpecPlan.of(spec).modelInputs());
    }

    @Test
    void featuresMapOneToOneToFlightFeaturesStandard() {
        FeatureSet today = FlightFeatures.standard();
        List<FeatureDefinition> expected = today.windowFeatures();
        assertThat(spec.features()).hasSameSizeAs(expected);
        for (int i = 0; i < expected.size(); i++) {
            FeatureDefinition want = expected.get(i);
            FeatureDef got = spec.features().get(i);
            String what = want.name();
            assertThat(got.name()).as(what).isEqualTo(want.name());
            assertThat(got.event()).as(what).isEqualTo(kindOf(want.events()));
            assertThat(got.key()).as(what).isEqualTo(keyOf(want.key()));
            assertThat(windowSpecOf(got.window())).as(what).isEqualTo(want.window());
            assertThat(got.window().isDaily()).as(what).isEqualTo(want.window().isDaily());
            if (want.aggregation() == Aggregation.COUNT) {
                assertThat(got.aggregation()).as(what).isEqualTo(AggregationKind.COUNT);
                assertThat(got.value()).as(what).isEmpty();
                assertThat(got.resultType()).as(what).isEqualTo(FieldType.LONG);
            } else {
                assertThat(want.aggregation()).isEqualTo(Aggregation.MEAN_DELAY);
                assertThat(got.aggregation()).as(what).isEqualTo(AggregationKind.MEAN);
                assertThat(got.value()).as(what).contains("delay");
                assertThat(got.resultType()).as(what).isEqualTo(FieldType.DOUBLE);
            }
        }
    }

    @Test
    void contextAndLabelAreTodaysColumns() {
        Query q = spec.query();
        assertThat(q.event()).isEqualTo("departure");
        // today's file writes dep_time, origin, dest, then the context features, then delay
        List<String> todaysContext =
                new java.util.ArrayList<>(List.of("dep_time", "origin", "dest"));
        for (ContextFeature c : FlightFeatures.standard().contextFeatures()) {
            todaysContext.add(c.column());
        }
        assertThat(q.context()).extracting(ContextField::name).isEqualTo(todaysContext);
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
                .isEqualTo(dev.parity.features.io.FlightCsv.HEADER);
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

    private static String kindOf(EventType type) {
        return type == EventType.DEPARTURE ? "departure" : "arrival";
    }

    private static List<String> keyOf(KeySpec key) {
        switch (key) {
            case ORIGIN:
                return List.of("origin");
            case DEST:
                return List.of("dest");
            case ROUTE:
                return List.of("origin", "dest");
            default:
                throw new AssertionError(key);
        }
    }

    private static WindowSpec windowSpecOf(Window w) {
        return w.isDaily()
                ? WindowSpec.trailingDays(w.days())
                : WindowSpec.sliding(Duration.ofMillis(w.length().toMillis()));
    }
}
