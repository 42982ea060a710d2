package dev.parity.features.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class WindowTest {

    @Test
    void parsesEveryUnit() {
        assertThat(Window.parse("250ms").length()).isEqualTo(Duration.ofMillis(250));
        assertThat(Window.parse("90s").length()).isEqualTo(Duration.ofSeconds(90));
        assertThat(Window.parse("30m").length()).isEqualTo(Duration.ofMinutes(30));
        assertThat(Window.parse("6h").length()).isEqualTo(Duration.ofHours(6));
        assertThat(Window.parse("7d").length()).isEqualTo(Duration.ofDays(7));
        assertThat(Window.parse("7d").isDaily()).isFalse();
    }

    @Test
    void describesWithTheLargestExactUnit() {
        assertThat(Window.parse("60m").describe()).isEqualTo("1h");
        assertThat(Window.parse("24h").describe()).isEqualTo("1d");
        assertThat(Window.parse("90m").describe()).isEqualTo("90m");
        assertThat(Window.parse("1500ms").describe()).isEqualTo("1500ms");
        assertThat(Window.daily(30).describe()).isEqualTo("{days: 30, daily: true}");
        assertThat(Window.parse("60m")).isEqualTo(Window.sliding(Duration.ofHours(1)));
    }

    @Test
    void dailyAndSlidingAreDifferentWindows() {
        assertThat(Window.daily(7)).isNotEqualTo(Window.parse("7d"));
        assertThat(Window.daily(7).days()).isEqualTo(7);
        assertThatThrownBy(() -> Window.daily(7).length())
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> Window.parse("7d").days())
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void factoriesRefuseEmptyWindows() {
        assertThatThrownBy(() -> Window.sliding(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("window");
        assertThatThrownBy(() -> Window.sliding(Duration.ofNanos(10)))
                .hasMessageContaining("at least 1ms");
        assertThatThrownBy(() -> Window.daily(0)).hasMessageContaining("days");
    }
}
