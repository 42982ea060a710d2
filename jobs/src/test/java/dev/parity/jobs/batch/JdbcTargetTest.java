package dev.parity.jobs.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.LocalDate;
import org.junit.jupiter.api.Test;

class JdbcTargetTest {
    @Test
    void refusesAnythingButAPostgresUrlNamingTheOption() {
        for (String bad : new String[] {null, "", "postgres://h/db", "jdbc:mysql://h/db"}) {
            assertThatThrownBy(() -> JdbcTarget.of(bad, null, null))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("--jdbc-url: expected a PostgreSQL URL");
        }
        assertThat(JdbcTarget.of("jdbc:postgresql://h:5432/db", "u", "p").url())
                .isEqualTo("jdbc:postgresql://h:5432/db");
    }

    @Test
    void neverPrintsThePassword() {
        assertThat(JdbcTarget.of("jdbc:postgresql://h/db", "parity", "s3cret").toString())
                .isEqualTo("jdbc:postgresql://h/db as parity")
                .doesNotContain("s3cret");
        assertThat(
                        JdbcTarget.of(
                                        "jdbc:postgresql://h/db?user=a&password=s3cret&ssl=true",
                                        null,
                                        null)
                                .toString())
                .isEqualTo("jdbc:postgresql://h/db?user=a&password=***&ssl=true");
    }

    @Test
    void periodBoundsAreUtcMidnights() {
        assertThat(BatchPredictionJob.startOf(LocalDate.parse("2001-01-02")))
                .isEqualTo(978_393_600_000L);
    }
}
