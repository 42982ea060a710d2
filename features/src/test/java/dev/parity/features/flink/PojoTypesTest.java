package dev.parity.features.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.parity.features.core.FeatureVector;
import dev.parity.features.core.WindowAggregates;
import dev.parity.features.engine.IncompleteVector;
import dev.parity.features.engine.MissedWindow;
import dev.parity.features.events.FlightEvent;
import dev.parity.features.events.FlightRow;
import dev.parity.features.io.RowResult;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PojoTypesTest {

    /** Kryo is off: a POJO with any generic (Kryo) field fails to create its serializer. */
    private static SerializerConfigImpl noKryo() {
        SerializerConfigImpl config = new SerializerConfigImpl();
        config.setGenericTypes(false);
        return config;
    }

    @ParameterizedTest
    @ValueSource(
            classes = {
                FlightEvent.class,
                FlightRow.class,
                RowResult.class,
                GroupInput.class,
                FlightPart.class,
                FeatureVector.class,
                WindowAggregates.class,
                PendingVector.class,
                LateEvent.class,
                MissedWindow.class,
                IncompleteVector.class,
                FeatureSnapshot.class
            })
    void isAPojoWithoutGenericFields(Class<?> type) {
        TypeInformation<?> info = TypeInformation.of(type);

        assertThat(info).isInstanceOf(PojoTypeInfo.class);
        assertThat(info.createSerializer(noKryo())).isNotNull();
    }

    /** A class with a field Flink can only serialise with Kryo. */
    public static class WithGenericField {
        public Object payload;

        public WithGenericField() {}
    }

    @Test
    void theCheckRejectsAPojoWithAGenericField() {
        TypeInformation<WithGenericField> info = TypeInformation.of(WithGenericField.class);

        assertThat(info).isInstanceOf(PojoTypeInfo.class);
        assertThatThrownBy(() -> info.createSerializer(noKryo()))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void featureVectorRoundTripsWithNullsAndNaN() throws Exception {
        FeatureVector v = new FeatureVector();
        v.id = 3;
        v.setContext(86_400_000L * 11000 + 3_600_000L, "ORD", "JFK", 740);
        v.values = new double[] {1, 0, Double.NaN, 2.5, Double.NaN, -3.25};
        v.label = null;

        assertThat(roundTrip(v, FeatureVector.class)).isEqualTo(v);
        v.label = -7L;
        assertThat(roundTrip(v, FeatureVector.class)).isEqualTo(v);
    }

    @Test
    void groupInputRoundTripsWithItsEvent() throws Exception {
        GroupInput in =
                new GroupInput(
                        "2|ORD>JFK",
                        2,
                        true,
                        false,
                        FlightEvent.arrival(9, 1000, "ORD", "JFK", -4));

        GroupInput back = roundTrip(in, GroupInput.class);

        assertThat(back.key).isEqualTo(in.key);
        assertThat(back.group).isEqualTo(2);
        assertThat(back.contributes).isTrue();
        assertThat(back.query).isFalse();
        assertThat(back.event).isEqualTo(in.event);
    }

    private static <T> T roundTrip(T value, Class<T> type) throws Exception {
        TypeSerializer<T> serializer = TypeInformation.of(type).createSerializer(noKryo());
        DataOutputSerializer out = new DataOutputSerializer(256);
        serializer.serialize(value, out);
        return serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
    }
}
