package dev.parity.jobs.streaming;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parity.features.events.FlightEvent;
import dev.parity.jobs.kafka.FlightEventJson;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.junit.jupiter.api.Test;

class DecodedEventTest {
    @Test
    void anEventCarriesItsEventTime() {
        FlightEvent e = FlightEvent.departure(7, 1_000L, "SFO", "LAX", 337);
        DecodedEvent d = new DecodedEvent.Schema().deserialize(FlightEventJson.encode(e));
        assertThat(d.event).isNotNull();
        assertThat(d.event.id).isEqualTo(7);
        assertThat(d.error).isNull();
        assertThat(d.raw).isNull();
        assertThat(d.eventTime()).isEqualTo(1_000L);
    }

    @Test
    void aBadRecordKeepsItsTextAndReasonAndDoesNotMoveEventTime() {
        DecodedEvent d =
                new DecodedEvent.Schema().deserialize("{oops".getBytes(StandardCharsets.UTF_8));
        assertThat(d.event).isNull();
        assertThat(d.error).contains("malformed JSON");
        assertThat(d.raw).isEqualTo("{oops");
        assertThat(d.eventTime()).isEqualTo(Long.MIN_VALUE);
    }

    @Test
    void aTombstoneIsABadRecordNotACrash() {
        DecodedEvent d = new DecodedEvent.Schema().deserialize(null);
        assertThat(d.event).isNull();
        assertThat(d.error).isNotBlank();
    }

    @Test
    void isAPojoWithoutKryo() {
        TypeInformation<DecodedEvent> info = TypeInformation.of(DecodedEvent.class);
        assertThat(info).isInstanceOf(PojoTypeInfo.class);
        SerializerConfigImpl noKryo = new SerializerConfigImpl();
        noKryo.setGenericTypes(false);
        assertThat(info.createSerializer(noKryo)).isNotNull();
    }
}
