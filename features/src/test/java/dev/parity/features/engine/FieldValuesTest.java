package dev.parity.features.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parity.features.spec.FieldType;
import org.junit.jupiter.api.Test;

/** The one value check every reader shares. */
class FieldValuesTest {
    @Test
    void emptyIsNull() {
        for (FieldType t : FieldType.values()) {
            assertThat(FieldValues.parse(t, "")).isNull();
            assertThat(FieldValues.check(t, null)).isNull();
        }
    }

    @Test
    void textValues() {
        assertThat(FieldValues.parse(FieldType.LONG, "-42")).isEqualTo(-42L);
        assertThat(FieldValues.parse(FieldType.DOUBLE, "12.5")).isEqualTo(12.5);
        assertThat(FieldValues.parse(FieldType.DOUBLE, "1e-3")).isEqualTo(1e-3);
        assertThat(FieldValues.parse(FieldType.BOOLEAN, "true")).isEqualTo(true);
        assertThat(FieldValues.parse(FieldType.STRING, "a, \"b\"")).isEqualTo("a, \"b\"");
        assertThat(FieldValues.parse(FieldType.TIMESTAMP, "2001-01-01T00:01:00Z"))
                .isEqualTo(978_307_260_000L);
        assertThat(FieldValues.parse(FieldType.TIMESTAMP, "2001-01-01T00:01:00.123Z"))
                .isEqualTo(978_307_260_123L);
        assertThat(FieldValues.parse(FieldType.TIMESTAMP, "978307260000"))
                .isEqualTo(978_307_260_000L);
        assertThat(FieldValues.parse(FieldType.TIMESTAMP, "-1")).isEqualTo(-1L);
    }

    @Test
    void badTextIsRejectedWithTheValue() {
        assertThatThrownBy(() -> FieldValues.parse(FieldType.LONG, "1.5"))
                .hasMessage("expected a whole number, got '1.5'");
        assertThatThrownBy(() -> FieldValues.parse(FieldType.DOUBLE, "NaN"))
                .hasMessageContaining("decimal number");
        assertThatThrownBy(() -> FieldValues.parse(FieldType.DOUBLE, "1d"))
                .hasMessageContaining("decimal number");
        assertThatThrownBy(() -> FieldValues.parse(FieldType.DOUBLE, "1e999"))
                .hasMessageContaining("finite");
        assertThatThrownBy(() -> FieldValues.parse(FieldType.BOOLEAN, "yes"))
                .hasMessage("expected true or false, got 'yes'");
        assertThatThrownBy(() -> FieldValues.parse(FieldType.TIMESTAMP, "2001-01-01"))
                .hasMessageContaining("ISO-8601");
        assertThatThrownBy(
                        () -> FieldValues.parse(FieldType.TIMESTAMP, "2001-01-01T00:00:00.0001Z"))
                .hasMessageContaining("millisecond precision");
        assertThatThrownBy(() -> FieldValues.parse(FieldType.STRING, "a\nb"))
                .hasMessageContaining("line breaks");
    }

    @Test
    void typedValuesFromParquetAndJson() {
        assertThat(FieldValues.check(FieldType.LONG, 7)).isEqualTo(7L);
        assertThat(FieldValues.check(FieldType.DOUBLE, 7L)).isEqualTo(7.0);
        assertThat(FieldValues.check(FieldType.DOUBLE, 1.5f)).isEqualTo(1.5);
        assertThat(FieldValues.check(FieldType.TIMESTAMP, "2001-01-01T00:01:00Z"))
                .isEqualTo(978_307_260_000L);
        assertThatThrownBy(() -> FieldValues.check(FieldType.LONG, 1.5))
                .hasMessage("expected a long, got Double '1.5'");
        assertThatThrownBy(() -> FieldValues.check(FieldType.STRING, 5L))
                .hasMessage("expected a string, got Long '5'");
        assertThatThrownBy(() -> FieldValues.check(FieldType.DOUBLE, Double.NaN))
                .hasMessageContaining("finite");
    }
}
