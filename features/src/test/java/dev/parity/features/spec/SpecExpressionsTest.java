package dev.parity.features.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parity.features.reference.FlightRow;
import dev.parity.features.reference.SampleData;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The flights spec's expressions, evaluated through {@link SpecExpressions}, agree with plain Java
 * written from examples/flights/README.md ({@link FlightRow#arrivalTime}, {@code java.time}'s UTC
 * hour and ISO day of week) on every sample row and on edge rows; and the environment is sandboxed.
 */
class SpecExpressionsTest {
    private static final FeatureSpec FLIGHTS = FeatureSpec.load(TestingSpecs.flightsPath());

    private static SpecExpressions.Compiled sourceExpr(String kind, String field) {
        Source source = FLIGHTS.source().orElseThrow();
        SpecExpression x =
                source.emits().stream()
                        .filter(e -> e.event().equals(kind))
                        .findFirst()
                        .orElseThrow()
                        .values()
                        .get(field);
        return SpecExpressions.over(source.fields()).compile(x.text());
    }

    private static SpecExpressions.Compiled contextExpr(String name) {
        ContextField c =
                FLIGHTS.query().context().stream()
                        .filter(x -> x.name().equals(name))
                        .findFirst()
                        .orElseThrow();
        return SpecExpressions.over(FLIGHTS.event("departure").orElseThrow().fields())
                .compile(c.expression().text());
    }

    private static java.time.ZonedDateTime utc(long t) {
        return Instant.ofEpochMilli(t).atZone(java.time.ZoneOffset.UTC);
    }

    private static Map<String, Object> row(FlightRow r) {
        Map<String, Object> m = new HashMap<>();
        m.put("id", r.id);
        m.put("date", r.depTime);
        m.put("delay", r.delay);
        m.put("distance", r.distance);
        m.put("origin", r.origin);
        m.put("destination", r.dest);
        return m;
    }

    private static List<FlightRow> edgeRows() {
        long t = Instant.parse("2001-01-07T23:59:59.999Z").toEpochMilli(); // a Sunday
        List<FlightRow> rows = new ArrayList<>();
        rows.add(new FlightRow(1, t, -600, 100, "SFO", "LAX")); // max(1, ...) takes 1
        rows.add(new FlightRow(2, t, -43, 100, "SFO", "LAX")); // 30 + 12 - 43 = -1 -> 1
        rows.add(new FlightRow(3, t, -42, 100, "SFO", "LAX")); // exactly 0 -> 1
        rows.add(new FlightRow(4, t, -41, 100, "SFO", "LAX")); // exactly 1
        rows.add(new FlightRow(5, t, 0, 7, "SFO", "LAX")); // 7 / 8 = 0
        rows.add(new FlightRow(6, 0L, 1440, 4962, "JFK", "HNL")); // 1970-01-01, a Thursday
        rows.add(
                new FlightRow(
                        7, Instant.parse("2001-01-01T00:00:00Z").toEpochMilli(), 5, 8, "A", "B"));
        rows.add(new FlightRow(8, -1L, 0, 0, "A", "B")); // 1969-12-31T23:59:59.999Z, a Wednesday
        return rows;
    }

    @Test
    void arrivalTimeMatchesTheReadmeOnTheSampleAndEdgeRows() {
        SpecExpressions.Compiled arrival = sourceExpr("arrival", "time");
        assertThat(arrival.type()).isEqualTo(FieldType.TIMESTAMP);
        List<FlightRow> rows = new ArrayList<>(SampleData.rows());
        assertThat(rows).hasSizeGreaterThan(1000);
        rows.addAll(edgeRows());
        for (FlightRow r : rows) {
            assertThat(arrival.evaluate(row(r))).as("row %s", r).isEqualTo(r.arrivalTime());
        }
    }

    @Test
    void departureValuesAreTheRowsFields() {
        FlightRow r = edgeRows().get(0);
        assertThat(sourceExpr("departure", "time").evaluate(row(r))).isEqualTo(r.depTime);
        assertThat(sourceExpr("departure", "dest").evaluate(row(r))).isEqualTo("LAX");
        assertThat(sourceExpr("arrival", "id").evaluate(row(r))).isEqualTo(1L);
    }

    @Test
    void depHourAndDowMatchJavaTime() {
        SpecExpressions.Compiled hour = contextExpr("dep_hour");
        SpecExpressions.Compiled dow = contextExpr("dep_dow");
        SpecExpressions.Compiled depTime = contextExpr("dep_time");
        List<Long> times = new ArrayList<>();
        for (FlightRow r : SampleData.rows()) {
            times.add(r.depTime);
        }
        for (FlightRow r : edgeRows()) {
            times.add(r.depTime);
        }
        for (int d = 0; d < 14; d++) { // two weeks of hours, every weekday
            times.add(
                    Instant.parse("2001-03-01T00:30:00Z").toEpochMilli()
                            + d * 86_400_000L
                            + d * 3_600_000L);
        }
        for (long t : times) {
            Map<String, Object> departure = Map.of("time", t);
            assertThat(hour.evaluate(departure))
                    .as("%s", Instant.ofEpochMilli(t))
                    .isEqualTo((long) utc(t).getHour());
            assertThat(dow.evaluate(departure))
                    .as("%s", Instant.ofEpochMilli(t))
                    .isEqualTo((long) utc(t).getDayOfWeek().getValue());
            assertThat(depTime.evaluate(departure)).isEqualTo(t);
        }
        assertThat(
                        dow.evaluate(
                                Map.of(
                                        "time",
                                        Instant.parse("2001-01-07T12:00:00Z").toEpochMilli())))
                .isEqualTo(7L);
        assertThat(
                        dow.evaluate(
                                Map.of(
                                        "time",
                                        Instant.parse("2001-01-08T12:00:00Z").toEpochMilli())))
                .isEqualTo(1L);
    }

    @Test
    void aNullInputMakesTheResultNull() {
        SpecExpressions.Compiled arrival = sourceExpr("arrival", "time");
        Map<String, Object> r = row(edgeRows().get(0));
        r.put("delay", null);
        assertThat(arrival.evaluate(r)).isNull();
        r.remove("delay");
        assertThat(arrival.evaluate(r)).isNull();
        // an input the expression does not read may be null
        r = row(edgeRows().get(0));
        r.put("origin", null);
        assertThat(arrival.evaluate(r)).isNotNull();
    }

    private static final Map<String, FieldType> VARS = new LinkedHashMap<>();

    static {
        VARS.put("n", FieldType.LONG);
        VARS.put("x", FieldType.DOUBLE);
        VARS.put("s", FieldType.STRING);
        VARS.put("b", FieldType.BOOLEAN);
        VARS.put("t", FieldType.TIMESTAMP);
    }

    private static final SpecExpressions ENV = SpecExpressions.over(VARS);

    @Test
    void infersEveryFieldType() {
        assertThat(ENV.compile("n * 2").type()).isEqualTo(FieldType.LONG);
        assertThat(ENV.compile("x / 2.0").type()).isEqualTo(FieldType.DOUBLE);
        assertThat(ENV.compile("s + '!'").type()).isEqualTo(FieldType.STRING);
        assertThat(ENV.compile("b && n > 1").type()).isEqualTo(FieldType.BOOLEAN);
        assertThat(ENV.compile("t + duration('1h')").type()).isEqualTo(FieldType.TIMESTAMP);
        assertThat(ENV.compile("b && n > 1").inputs()).containsExactly("n", "b");
    }

    @Test
    void evaluatesInTheEngineForm() {
        Map<String, Object> values = new HashMap<>();
        values.put("n", 7L);
        values.put("x", 0.5);
        values.put("s", "a,\"b\"");
        values.put("b", true);
        values.put("t", 1_000L);
        assertThat(ENV.compile("n / 2").evaluate(values)).isEqualTo(3L);
        assertThat(ENV.compile("x * 3.0").evaluate(values)).isEqualTo(1.5);
        assertThat(ENV.compile("size(s)").evaluate(values)).isEqualTo(5L);
        assertThat(ENV.compile("s.contains(',')").evaluate(values)).isEqualTo(true);
        assertThat(ENV.compile("t + duration('1.5ms')").evaluate(values)).isEqualTo(1_001L);
        assertThat(ENV.compile("t - duration('0.5ms')").evaluate(values)).isEqualTo(999L);
        assertThat(ENV.compile("t").evaluate(values)).isEqualTo(1_000L);
        assertThat(ENV.compile("t").fieldReference()).contains("t");
    }

    @Test
    void isDeterministicAcrossEvaluations() {
        SpecExpressions.Compiled c =
                ENV.compile("string(t) + ':' + string(t.getDayOfWeek('Europe/Berlin'))");
        Object first = c.evaluate(Map.of("t", 1_000L));
        for (int i = 0; i < 100; i++) {
            assertThat(c.evaluate(Map.of("t", 1_000L))).isEqualTo(first);
        }
        assertThat(first).isEqualTo("1970-01-01T00:00:01Z:4");
    }

    @Test
    void isSandboxed() {
        // no macros (and so no loops), no extension functions, no clock, no Java
        assertThatThrownBy(() -> ENV.compile("[1, 2].exists(i, i > n)"))
                .hasMessageContaining("does not compile");
        assertThatThrownBy(() -> ENV.compile("math.greatest(n, 1)"))
                .hasMessageContaining("does not compile");
        assertThatThrownBy(() -> ENV.compile("now()"))
                .hasMessageContaining("undeclared reference to 'now'");
        assertThatThrownBy(() -> ENV.compile("java.lang.System.exit(1)"))
                .hasMessageContaining("does not compile");
        assertThatThrownBy(() -> ENV.compile("other + 1"))
                .hasMessageContaining("undeclared reference to 'other'");
    }

    @Test
    void evaluationErrorsNameTheExpression() {
        assertThatThrownBy(() -> ENV.compile("n / 0").evaluate(Map.of("n", 1L)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("\"n / 0\" failed: ")
                .hasMessageContaining("by zero");
        assertThatThrownBy(() -> ENV.compile("n + 9223372036854775807").evaluate(Map.of("n", 1L)))
                .hasMessageContaining("overflow");
        assertThatThrownBy(
                        () ->
                                ENV.compile("t.getHours(s)")
                                        .evaluate(Map.of("t", 0L, "s", "Nowhere/Else")))
                .hasMessageContaining("Nowhere/Else");
        assertThatThrownBy(() -> ENV.compile("n + 1").evaluate(Map.of("n", "1")))
                .hasMessage("\"n + 1\": field 'n' is long, got a String value 1");
    }

    @Test
    void canonicalFormIgnoresWhitespace() {
        assertThat(ENV.compile("n+1").canonical()).isEqualTo(ENV.compile(" n  +  1 ").canonical());
        assertThat(ENV.compile("n+1").canonical()).isNotEqualTo(ENV.compile("n+2").canonical());
    }

    @Test
    void refusesResultsThatAreNoFieldType() {
        assertThatThrownBy(() -> ENV.compile("t - t"))
                .hasMessageContaining("has CEL type google.protobuf.Duration");
        assertThatThrownBy(() -> ENV.compile("[n]"))
                .hasMessageContaining("which is not a field type");
        assertThatThrownBy(() -> ENV.compile("  ")).hasMessage("the expression is empty");
    }
}
