package dev.parity.features.flink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parity.features.core.FeatureVector;
import dev.parity.features.core.WindowAggregates;
import dev.parity.features.events.FlightEvent;
import dev.parity.features.events.FlightRow;
import dev.parity.features.io.RowResult;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Types that cross the network or live in state are POJOs: Kryo would cost most of the throughput.
 */
class PojoTypesTest {
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
                IncompleteVector.class
            })
    void isAPojoWithoutGenericFields(Class<?> type) {
        TypeInformation<?> info = TypeInformation.of(type);
        assertThat(info).isInstanceOf(PojoTypeInfo.class);
        SerializerConfigImpl noKryo = new SerializerConfigImpl();
        noKryo.setGenericTypes(false);
        // Throws if any field would need Kryo.
        assertThat(info.createSerializer(noKryo)).isNotNull();
    }
}
