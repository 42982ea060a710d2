package dev.parity.jobs.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parity.jobs.ParityCli;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The check before a Kafka job starts, against a real broker and an address nobody listens on. */
class KafkaPreflightTest {
    private static EmbeddedKafka kafka;

    @BeforeAll
    static void startBroker() throws Exception {
        kafka = EmbeddedKafka.start(); // topics are not created on first use
        kafka.createTopic("present", 1);
    }

    @AfterAll
    static void stopBroker() throws Exception {
        kafka.close();
    }

    /** host:port of a port that was free a moment ago. */
    private static String nobody() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return "127.0.0.1:" + s.getLocalPort();
        }
    }

    @Test
    void aReachableBrokerWithTheTopicsPasses() {
        assertThatCode(
                        () ->
                                KafkaPreflight.check(
                                        kafka.bootstrapServers(),
                                        new Properties(),
                                        Duration.ofSeconds(20),
                                        false,
                                        "--topic=present"))
                .doesNotThrowAnyException();
    }

    @Test
    void aMissingTopicIsNamedWithTheOption() {
        assertThatThrownBy(
                        () ->
                                KafkaPreflight.check(
                                        kafka.bootstrapServers(),
                                        new Properties(),
                                        Duration.ofSeconds(20),
                                        true, // the broker does not create topics on first use
                                        "--topic=present",
                                        "--topic=absent"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(
                        "--topic absent: no such topic on " + kafka.bootstrapServers() + " (");
    }

    @Test
    void anAddressNobodyListensOnFailsWithinTheTimeout() throws Exception {
        String servers = nobody();
        long start = System.nanoTime();
        assertThatThrownBy(
                        () ->
                                KafkaPreflight.check(
                                        servers, new Properties(), Duration.ofSeconds(2), false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(
                        "--bootstrap-servers "
                                + servers
                                + ": cannot reach a Kafka broker within 2 s");
        // generous: the point is that it ends, not how fast (timings belong in benchmarks)
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
    }

    @Test
    void replayToAnUnreachableBrokerExitsTwoWithOneLine() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream old = System.err;
        int code;
        String servers = nobody();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            code =
                    ParityCli.execute(
                            "replay",
                            "--events",
                            "../data/sample/flights-sample.csv",
                            "--bootstrap-servers",
                            servers);
        } finally {
            System.setErr(old);
        }
        String text = err.toString(StandardCharsets.UTF_8);
        assertThat(code).isEqualTo(2);
        assertThat(text)
                .contains(
                        "--bootstrap-servers "
                                + servers
                                + ": cannot reach a Kafka broker within 20 s")
                .doesNotContain("\tat ");
    }
}
