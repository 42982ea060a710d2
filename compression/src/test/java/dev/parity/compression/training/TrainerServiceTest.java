package dev.parity.compression.training;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parity.compression.spi.MlpTrainer;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class TrainerServiceTest {
    @Test
    void compressFindsTheDjlTrainer() {
        assertThat(ServiceLoader.load(MlpTrainer.class).findFirst())
                .get()
                .isInstanceOf(DjlMlpTrainer.class);
    }
}
