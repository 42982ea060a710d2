package dev.parity.jobs.spec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parity.features.spec.FeatureSpec;
import dev.parity.jobs.ParityCli;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code parity validate}, run in process through the launcher's own entry point. */
class ValidateCommandTest {
    private static final Path FLIGHTS = Path.of("..", "examples", "flights", "flights.yaml");

    private static final String PAYMENTS =
            "name: payments_v1\n"
                    + "events:\n"
                    + "  payment:\n"
                    + "    fields: {id: long, ts: timestamp, card: string, merchant: string, amount: double}\n"
                    + "    id: id\n"
                    + "    time: ts\n"
                    + "query: {event: payment, context: [merchant]}\n"
                    + "features:\n"
                    + "  - {name: card_payments_1h, event: payment, key: [card], window: 1h, aggregation: count}\n"
                    + "  - {name: merchant_amount_mean_30d, event: payment, key: [merchant], value: amount, window: 30d, aggregation: mean}\n";

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream originalOut;
    private PrintStream originalErr;

    @BeforeEach
    void capture() {
        originalOut = System.out;
        originalErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        System.setOut(originalOut);
        System.setErr(originalErr);
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aValidSpecPrintsItsSummaryAndExits0() {
        int code = ParityCli.execute("validate", "--spec", FLIGHTS.toString());

        assertThat(code).as(err()).isZero();
        String fingerprint = FeatureSpec.load(FLIGHTS).fingerprint();
        assertThat(out())
                .contains(FLIGHTS + ": valid")
                .contains("flights_v1")
                .contains(fingerprint)
                .contains("departure (id: long, time: timestamp")
                .contains(
                        "departure, context dep_time, origin, dest, distance, dep_hour, dep_dow;"
                                + " label delay (from arrival by id)")
                .contains(
                        "rules        source: required id, date, delay, distance, origin,"
                                + " destination; checks id >= 0, distance >= 0")
                .contains("features     6")
                .contains(
                        "route_delay_mean_7d: mean(delay) of arrival by [origin, dest] over 7d -> double")
                .contains(
                        "origin_delay_mean_30d_daily: mean(delay) of arrival by [origin] over {days: 30, daily: true}")
                .contains(
                        "header       id,dep_time,origin,dest,distance,dep_hour,dep_dow,origin_dep_1h,"
                                + "dest_arr_1h,origin_delay_mean_6h,dest_delay_mean_1h,"
                                + "route_delay_mean_7d,origin_delay_mean_30d_daily,delay");
        assertThat(err()).isEmpty();
    }

    @Test
    void aMissingValueIsOneLineNamingFileEntryAndField(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("payments.yaml");
        Files.writeString(file, PAYMENTS.replace("value: amount, ", ""));

        int code = ParityCli.execute("validate", "--spec", file.toString());

        assertThat(code).isEqualTo(2);
        assertThat(err())
                .isEqualTo(
                        "error: "
                                + file
                                + ": features[1] (merchant_amount_mean_30d): value: required for"
                                + " aggregation 'mean'"
                                + System.lineSeparator());
        assertThat(out()).isEmpty();
    }

    @Test
    void aYamlSyntaxErrorIsOneLineWithLineAndColumn(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("broken.yaml");
        Files.writeString(file, PAYMENTS.replace("    time: ts\n", "    time: [ts\n"));

        int code = ParityCli.execute("validate", "--spec", file.toString());

        assertThat(code).isEqualTo(2);
        assertThat(err().lines()).hasSize(1);
        assertThat(err()).startsWith("error: " + file + ": line ").contains("YAML syntax error");
        assertThat(err()).doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    void aMissingFileExits2() {
        int code = ParityCli.execute("validate", "--spec", "no/such/spec.yaml");

        assertThat(code).isEqualTo(2);
        assertThat(err())
                .isEqualTo("error: no/such/spec.yaml: no such file" + System.lineSeparator());
    }

    @Test
    void verbosePrintsTheStackTraceToo(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("payments.yaml");
        Files.writeString(file, PAYMENTS.replace("window: 1h", "window: 0m"));

        int code = ParityCli.execute("validate", "--verbose", "--spec", file.toString());

        assertThat(code).isEqualTo(2);
        assertThat(err())
                .contains("SpecException")
                .contains("\tat ")
                .endsWith(
                        "error: "
                                + file
                                + ": features[0] (card_payments_1h): window: must be positive, got"
                                + " '0m': a window of 0 holds no events"
                                + System.lineSeparator());
    }
}
