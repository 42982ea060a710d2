package dev.parity.features.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parity.features.agg.AggregationKind;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FeatureSpecTest {

    /** The same spec as docs/SPEC.md's YAML, written with the builder. */
    static FeatureSpec paymentsFromJava() {
        return FeatureSpec.builder()
                .origin("PaymentsSpec.java")
                .name("payments_v1")
                .event(
                        "payment",
                        e ->
                                e.field("id", FieldType.LONG)
                                        .field("ts", FieldType.TIMESTAMP)
                                        .field("card", FieldType.STRING)
                                        .field("merchant", FieldType.STRING)
                                        .field("amount", FieldType.DOUBLE)
                                        .field("fraud", FieldType.LONG)
                                        .id("id")
                                        .time("ts"))
                .query(q -> q.event("payment").context("merchant").context("amount").label("fraud"))
                .feature(
                        f ->
                                f.name("card_payments_1h")
                                        .event("payment")
                                        .key("card")
                                        .window("1h")
                                        .aggregation(AggregationKind.COUNT))
                .feature(
                        f ->
                                f.name("card_payments_7d_daily")
                                        .event("payment")
                                        .key("card")
                                        .window(Window.daily(7))
                                        .aggregation("count"))
                .feature(
                        f ->
                                f.name("merchant_amount_mean_30d")
                                        .event("payment")
                                        .key("merchant")
                                        .value("amount")
                                        .window(Window.sliding(Duration.ofDays(30)))
                                        .aggregation("mean"))
                .feature(
                        f ->
                                f.name("card_amount_max_24h")
                                        .event("payment")
                                        .key("card")
                                        .value("amount")
                                        .window("24h")
                                        .aggregation(AggregationKind.MAX))
                .build();
    }

    @Test
    void acceptsTheDesignExampleExactlyAsWritten() {
        FeatureSpec spec = TestingSpecs.payments();

        assertThat(spec.name()).isEqualTo("payments_v1");
        assertThat(spec.origin()).isEqualTo("payments_v1.yaml");
        assertThat(spec.events()).hasSize(1);
        EventKind payment = spec.event("payment").orElseThrow();
        assertThat(payment.fields())
                .containsExactly(
                        java.util.Map.entry("id", FieldType.LONG),
                        java.util.Map.entry("ts", FieldType.TIMESTAMP),
                        java.util.Map.entry("card", FieldType.STRING),
                        java.util.Map.entry("merchant", FieldType.STRING),
                        java.util.Map.entry("amount", FieldType.DOUBLE),
                        java.util.Map.entry("fraud", FieldType.LONG));
        assertThat(payment.idField()).contains("id");
        assertThat(payment.timeField()).isEqualTo("ts");
        assertThat(spec.source()).isEmpty();

        Query query = spec.query();
        assertThat(query.event()).isEqualTo("payment");
        assertThat(query.context())
                .extracting(ContextField::name)
                .containsExactly("merchant", "amount");
        assertThat(query.context())
                .extracting(ContextField::type)
                .containsExactly(FieldType.STRING, FieldType.DOUBLE);
        Label label = query.label().orElseThrow();
        assertThat(label.name()).isEqualTo("fraud");
        assertThat(label.fromQueryEvent()).isTrue();
        assertThat(label.type()).isEqualTo(FieldType.LONG);

        List<FeatureDef> f = spec.features();
        assertThat(f)
                .extracting(FeatureDef::name)
                .containsExactly(
                        "card_payments_1h",
                        "card_payments_7d_daily",
                        "merchant_amount_mean_30d",
                        "card_amount_max_24h");
        assertThat(f.get(0).aggregation()).isEqualTo(AggregationKind.COUNT);
        assertThat(f.get(0).value()).isEmpty();
        assertThat(f.get(0).window()).isEqualTo(Window.sliding(Duration.ofHours(1)));
        assertThat(f.get(0).resultType()).isEqualTo(FieldType.LONG);
        assertThat(f.get(1).window()).isEqualTo(Window.daily(7));
        assertThat(f.get(1).window().isDaily()).isTrue();
        assertThat(f.get(2).key()).containsExactly("merchant");
        assertThat(f.get(2).value()).contains("amount");
        assertThat(f.get(2).aggregation()).isEqualTo(AggregationKind.MEAN);
        assertThat(f.get(2).window().length()).isEqualTo(Duration.ofDays(30));
        assertThat(f.get(2).resultType()).isEqualTo(FieldType.DOUBLE);
        assertThat(f.get(3).aggregation()).isEqualTo(AggregationKind.MAX);
        assertThat(f.get(3).window().length()).isEqualTo(Duration.ofHours(24));
        assertThat(f.get(3).resultType()).isEqualTo(FieldType.DOUBLE);
    }

    @Test
    void outputHeaderIsIdContextFeaturesLabel() {
        assertThat(String.join(",", TestingSpecs.payments().outputHeader()))
                .isEqualTo(
                        "id,merchant,amount,card_payments_1h,card_payments_7d_daily,"
                                + "merchant_amount_mean_30d,card_amount_max_24h,fraud");
    }

    @Test
    void javaBuilderAndYamlGiveTheSameModel() {
        FeatureSpec yaml = TestingSpecs.payments();
        FeatureSpec java = paymentsFromJava();

        assertThat(java.canonicalForm()).isEqualTo(yaml.canonicalForm());
        assertThat(java.fingerprint()).isEqualTo(yaml.fingerprint());
        assertThat(java.outputHeader()).isEqualTo(yaml.outputHeader());
        assertThat(java.origin()).isEqualTo("PaymentsSpec.java");
    }

    @Test
    void flightsFromJavaIsTheBundledYaml() {
        String arrival =
                "date + duration(string(30 + distance / 8 + delay >= 1"
                        + " ? 30 + distance / 8 + delay : 1) + 'm')";
        FeatureSpec.Builder b =
                FeatureSpec.builder()
                        .name("flights_v1")
                        .source(
                                s ->
                                        s.field("id", FieldType.LONG)
                                                .field("date", FieldType.TIMESTAMP)
                                                .field("delay", FieldType.LONG)
                                                .field("distance", FieldType.LONG)
                                                .field("origin", FieldType.STRING)
                                                .field("destination", FieldType.STRING)
                                                .require("id")
                                                .require("date")
                                                .require("delay")
                                                .require("distance")
                                                .require("origin")
                                                .require("destination")
                                                .check("id >= 0", "field 'id' must not be negative")
                                                .check(
                                                        "distance >= 0",
                                                        "field 'distance' must not be negative")
                                                .emit(
                                                        "departure",
                                                        v ->
                                                                v.value("id", "id")
                                                                        .value("time", "date")
                                                                        .value("origin", "origin")
                                                                        .value(
                                                                                "dest",
                                                                                "destination")
                                                                        .value(
                                                                                "distance",
                                                                                "distance"))
                                                .emit(
                                                        "arrival",
                                                        v ->
                                                                v.value("id", "id")
                                                                        .value("time", arrival)
                                                                        .value("origin", "origin")
                                                                        .value(
                                                                                "dest",
                                                                                "destination")
                                                                        .value("delay", "delay")))
                        .event(
                                "departure",
                                e ->
                                        e.field("id", FieldType.LONG)
                                                .field("time", FieldType.TIMESTAMP)
                                                .field("origin", FieldType.STRING)
                                                .field("dest", FieldType.STRING)
                                                .field("distance", FieldType.LONG)
                                                .id("id")
                                                .time("time")
                                                .require("id")
                                                .require("time")
                                                .require("origin")
                                                .require("dest")
                                                .require("distance")
                                                .check(
                                                        "id >= 0 && distance >= 0",
                                                        "fields 'id' and 'distance' must not be"
                                                                + " negative")
                                                .check(
                                                        "origin != '' && dest != ''",
                                                        "fields 'origin' and 'dest' must not be"
                                                                + " empty"))
                        .event(
                                "arrival",
                                e ->
                                        e.field("id", FieldType.LONG)
                                                .field("time", FieldType.TIMESTAMP)
                                                .field("origin", FieldType.STRING)
                                                .field("dest", FieldType.STRING)
                                                .field("delay", FieldType.LONG)
                                                .id("id")
                                                .time("time")
                                                .require("id")
                                                .require("time")
                                                .require("origin")
                                                .require("dest")
                                                .require("delay")
                                                .check("id >= 0", "field 'id' must not be negative")
                                                .check(
                                                        "origin != '' && dest != ''",
                                                        "fields 'origin' and 'dest' must not be"
                                                                + " empty"))
                        .json(j -> j.kind("type").predictionTime("dep_time"))
                        .query(
                                q ->
                                        q.event("departure")
                                                .contextExpr("dep_time", "time")
                                                .context("origin")
                                                .context("dest")
                                                .context("distance")
                                                .contextExpr(
                                                        "dep_hour",
                                                        "time.getHours('UTC')",
                                                        FieldType.LONG)
                                                .contextExpr(
                                                        "dep_dow",
                                                        "(time.getDayOfWeek('UTC') + 6) % 7 + 1")
                                                .label("arrival", "delay"));
        String[][] features = {
            {"origin_dep_1h", "departure", "origin", null, "1h", "count"},
            {"dest_arr_1h", "arrival", "dest", null, "1h", "count"},
            {"origin_delay_mean_6h", "arrival", "origin", "delay", "6h", "mean"},
            {"dest_delay_mean_1h", "arrival", "dest", "delay", "1h", "mean"},
            {"route_delay_mean_7d", "arrival", "origin,dest", "delay", "7d", "mean"},
        };
        for (String[] f : features) {
            b.feature(
                    d ->
                            d.name(f[0])
                                    .event(f[1])
                                    .key(f[2].split(","))
                                    .value(f[3])
                                    .window(f[4])
                                    .aggregation(f[5]));
        }
        b.feature(
                d ->
                        d.name("origin_delay_mean_30d_daily")
                                .event("arrival")
                                .key("origin")
                                .value("delay")
                                .window(Window.daily(30))
                                .aggregation(AggregationKind.MEAN));

        FeatureSpec java = b.build();
        FeatureSpec yaml = FeatureSpec.load(TestingSpecs.flightsPath());
        assertThat(java.canonicalForm()).isEqualTo(yaml.canonicalForm());
        assertThat(java.fingerprint()).isEqualTo(yaml.fingerprint());
        assertThat(java.json()).hasToString(yaml.json().toString());
        assertThat(yaml.json().kind()).isEqualTo("type");
        assertThat(yaml.json().predictionTime()).isEqualTo("dep_time");
    }

    @Test
    void javaBuilderAndYamlGiveTheSameError() {
        String yaml =
                TestingSpecs.paymentsYaml()
                        .replace(
                                "value: amount, window: 30d, aggregation: mean",
                                "window: 30d, aggregation: mean");
        assertThatThrownBy(() -> FeatureSpec.parse(yaml, "x"))
                .hasMessage(
                        "x: features[2] (merchant_amount_mean_30d): value: required for aggregation 'mean'");

        assertThatThrownBy(
                        () ->
                                FeatureSpec.builder()
                                        .origin("x")
                                        .name("payments_v1")
                                        .event(
                                                "payment",
                                                e ->
                                                        e.field("id", "long")
                                                                .field("ts", "timestamp")
                                                                .field("merchant", "string")
                                                                .field("amount", "double")
                                                                .id("id")
                                                                .time("ts"))
                                        .query(q -> q.event("payment"))
                                        .feature(
                                                f ->
                                                        f.name("a")
                                                                .event("payment")
                                                                .key("merchant")
                                                                .window("1h")
                                                                .aggregation("count"))
                                        .feature(
                                                f ->
                                                        f.name("b")
                                                                .event("payment")
                                                                .key("merchant")
                                                                .window("1h")
                                                                .aggregation("count"))
                                        .feature(
                                                f ->
                                                        f.name("merchant_amount_mean_30d")
                                                                .event("payment")
                                                                .key("merchant")
                                                                .window("30d")
                                                                .aggregation("mean"))
                                        .build())
                .isInstanceOf(SpecException.class)
                .hasMessage(
                        "x: features[2] (merchant_amount_mean_30d): value: required for aggregation 'mean'");
    }

    @Test
    void loadsAFileAndNamesItInMessages(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("payments.yaml");
        Files.writeString(file, TestingSpecs.paymentsYaml());
        assertThat(FeatureSpec.load(file).fingerprint())
                .isEqualTo(TestingSpecs.payments().fingerprint());

        Files.writeString(file, TestingSpecs.paymentsYaml().replace("window: 1h", "window: 0m"));
        assertThatThrownBy(() -> FeatureSpec.load(file))
                .isInstanceOf(SpecException.class)
                .hasMessageStartingWith(file + ": features[0] (card_payments_1h): window: ");

        Path missing = dir.resolve("missing.yaml");
        assertThatThrownBy(() -> FeatureSpec.load(missing)).hasMessage(missing + ": no such file");
    }

    @Test
    void theExceptionCarriesItsParts() {
        SpecException e =
                (SpecException)
                        catchThrowable(
                                () ->
                                        FeatureSpec.parse(
                                                TestingSpecs.paymentsYaml()
                                                        .replace("time: ts", "time: card"),
                                                "p.yaml"));
        assertThat(e.origin()).isEqualTo("p.yaml");
        assertThat(e.entry()).isEqualTo("events.payment");
        assertThat(e.field()).isEqualTo("time");
        assertThat(e.problem())
                .isEqualTo("field 'card' is string; the event time must be a timestamp");
        assertThat(e).isInstanceOf(IllegalArgumentException.class);
    }

    private static Throwable catchThrowable(Runnable r) {
        try {
            r.run();
        } catch (Throwable t) {
            return t;
        }
        throw new AssertionError("expected a failure");
    }

    @Test
    void isSerializableWithItsFingerprint() throws Exception {
        FeatureSpec spec = FeatureSpec.load(TestingSpecs.flightsPath());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(spec);
        }
        FeatureSpec copy;
        try (ObjectInputStream in =
                new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            copy = (FeatureSpec) in.readObject();
        }
        assertThat(copy.fingerprint()).isEqualTo(spec.fingerprint());
        assertThat(copy.outputHeader()).isEqualTo(spec.outputHeader());
        assertThat(copy.source().orElseThrow().emits().get(1).values().get("time").text())
                .isEqualTo(spec.source().orElseThrow().emits().get(1).values().get("time").text());
    }

    @Test
    void collectionsAreUnmodifiable() {
        FeatureSpec spec = TestingSpecs.payments();
        assertThatThrownBy(() -> spec.features().clear())
                .isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> spec.outputHeader().add("x"))
                .isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> spec.events().get(0).fields().clear())
                .isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> spec.features().get(0).key().add("x"))
                .isInstanceOf(UnsupportedOperationException.class);
    }
}
