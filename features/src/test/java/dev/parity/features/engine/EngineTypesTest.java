package dev.parity.features.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parity.features.agg.AggState;
import dev.parity.features.agg.AggregationKind;
import dev.parity.features.agg.Aggregator;
import dev.parity.features.agg.ValueType;
import java.util.List;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/**
 * The engine's records round-trip bit for bit through their own serializers (Kryo is off), and
 * every serializer's snapshot restores a compatible serializer, as a checkpoint needs.
 */
class EngineTypesTest {
    private static final Object[] VALUES = {
        null,
        "東京, \"q\"",
        "",
        -0.0,
        Double.longBitsToDouble(0x7ff8_0000_0000_0001L),
        12.5,
        Long.MIN_VALUE,
        Boolean.TRUE,
        Boolean.FALSE
    };

    private static <T> T roundTrip(
            org.apache.flink.api.common.typeinfo.TypeInformation<T> info, T value)
            throws Exception {
        SerializerConfigImpl noKryo = new SerializerConfigImpl();
        noKryo.setGenericTypes(false);
        TypeSerializer<T> s = info.createSerializer(noKryo);
        DataOutputSerializer out = new DataOutputSerializer(64);
        s.serialize(value, out);
        T back = s.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));

        TypeSerializerSnapshot<T> snapshot = s.snapshotConfiguration();
        DataOutputSerializer snap = new DataOutputSerializer(64);
        TypeSerializerSnapshot.writeVersionedSnapshot(snap, snapshot);
        TypeSerializerSnapshot<T> read =
                TypeSerializerSnapshot.readVersionedSnapshot(
                        new DataInputDeserializer(snap.getCopyOfBuffer()),
                        EngineTypesTest.class.getClassLoader());
        TypeSerializerSchemaCompatibility<T> compat =
                s.snapshotConfiguration().resolveSchemaCompatibility(read);
        assertThat(compat.isCompatibleAsIs()).isTrue();
        assertThat(read.restoreSerializer()).isEqualTo(s);
        return back;
    }

    @Test
    void eventsKeepEveryValueBitForBit() throws Exception {
        EventRow e = new EventRow(3, 42L, 978_307_260_000L, VALUES.clone());
        EventRow back = roundTrip(EngineTypes.EVENT, e);
        assertThat(back).isEqualTo(e);
        assertThat(Double.doubleToRawLongBits((Double) back.values[4]))
                .isEqualTo(0x7ff8_0000_0000_0001L);
        assertThat(Double.doubleToRawLongBits((Double) back.values[3]))
                .isEqualTo(Double.doubleToRawLongBits(-0.0));
    }

    @Test
    void rowsPartsRoutedAndLateRecordsRoundTrip() throws Exception {
        FeatureRow row = new FeatureRow(7L, 1_000L, VALUES.clone());
        assertThat(roundTrip(EngineTypes.ROW, row)).isEqualTo(row);

        VectorPart part =
                roundTrip(
                        EngineTypes.PART,
                        new VectorPart(7L, VectorPart.LATE, 1L, 2L, VALUES.clone()));
        assertThat(part.part).isEqualTo(VectorPart.LATE);
        assertThat(part.watermark).isEqualTo(2L);
        assertThat(part.values).containsExactly(VALUES);

        EventRow e = new EventRow(0, 1L, 2L, new Object[] {"a"});
        RoutedEvent r =
                roundTrip(EngineTypes.ROUTED, new RoutedEvent("0|s1:a", 0, true, false, 99L, e));
        assertThat(r.key).isEqualTo("0|s1:a");
        assertThat(r.contributes).isTrue();
        assertThat(r.query).isFalse();
        assertThat(r.notBefore).isEqualTo(99L);
        assertThat(r.event).isEqualTo(e);

        LateRecord l =
                roundTrip(
                        EngineTypes.LATE,
                        new LateRecord(
                                e,
                                "payment",
                                5L,
                                true,
                                new MissedWindow[] {new MissedWindow("f", "a|b", 1L, 3L)}));
        assertThat(l.kind).isEqualTo("payment");
        assertThat(l.queryLate).isTrue();
        assertThat(l.missedText()).isEqualTo(new MissedWindow("f", "a|b", 1L, 3L).toString());

        DecodedRow bad =
                roundTrip(EngineTypes.DECODED, DecodedRow.rejected("f.csv", 9L, "why", "raw,line"));
        assertThat(bad.isValid()).isFalse();
        assertThat(bad.reason).isEqualTo("why");
        DecodedRow ok =
                roundTrip(EngineTypes.DECODED, DecodedRow.ok("f.csv", 2L, new EventRow[] {e, e}));
        assertThat(ok.events).containsExactly(e, e);
    }

    @Test
    @SuppressWarnings({"unchecked", "rawtypes"})
    void groupStatesOfEveryAggregationRoundTrip() throws Exception {
        List<Aggregator<?>> aggs =
                List.of(
                        Aggregator.of(AggregationKind.COUNT, null),
                        Aggregator.of(AggregationKind.SUM, ValueType.LONG),
                        Aggregator.of(AggregationKind.MEAN, ValueType.DOUBLE),
                        Aggregator.of(AggregationKind.MIN, ValueType.STRING),
                        Aggregator.of(AggregationKind.COUNT_DISTINCT, ValueType.BOOLEAN),
                        Aggregator.of(AggregationKind.LAST, ValueType.TIMESTAMP));
        Object[] values = {null, 5L, 0.1, "b", true, 77L};
        AggState<?>[] slots = new AggState<?>[aggs.size() + 1];
        for (int i = 0; i < aggs.size(); i++) {
            Aggregator a = aggs.get(i);
            slots[i] = a.delta(values[i], 10L, 3L, +1);
            a.accumulate(slots[i], values[i], 11L, 4L, -1); // pending changes may be negative
        }
        GroupState back = roundTrip(EngineTypes.GROUP_STATE, new GroupState(slots));
        assertThat(back.slots).hasSize(slots.length);
        for (int i = 0; i < aggs.size(); i++) {
            assertThat(back.slots[i]).isEqualTo(slots[i]);
        }
        assertThat(back.slots[aggs.size()]).isNull();
    }

    @Test
    void pendingRowsRoundTrip() throws Exception {
        PendingRow in = new PendingRow();
        in.start = 1L;
        in.deadline = 100L;
        in.retiredUntil = -3L;
        in.emitAt = 9L;
        in.queryTime = 7L;
        in.queryCount = 2;
        in.labelTime = 8L;
        in.labelCount = 3;
        in.received = 5;
        in.flags = PendingRow.QUERY_CONFLICT | PendingRow.LATE_SEEN;
        in.values = VALUES.clone();
        PendingRow p = roundTrip(EngineTypes.PENDING_ROW, in);
        assertThat(p).usingRecursiveComparison().ignoringFields("values").isEqualTo(in);
        assertThat(p.values).containsExactly(VALUES);
    }
}
