package dev.parity.features.engine;

import dev.parity.features.agg.AggState;
import dev.parity.features.agg.CountState;
import dev.parity.features.agg.DoubleSumState;
import dev.parity.features.agg.LatestValues;
import dev.parity.features.agg.LongSumState;
import dev.parity.features.agg.ValueMultiset;
import dev.parity.features.agg.ValueType;
import java.io.IOException;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * Type information for the engine's records, each with a serializer of its own (no Kryo, no
 * reflection): values are tagged ({@link Values}), aggregation states say what they are.
 */
public final class EngineTypes {
    private EngineTypes() {}

    public static final TypeInformation<EventRow> EVENT =
            new RecordSerializer.Info<>(EventRow.class, new EventSerializer());
    public static final TypeInformation<RoutedEvent> ROUTED =
            new RecordSerializer.Info<>(RoutedEvent.class, new RoutedSerializer());
    public static final TypeInformation<VectorPart> PART =
            new RecordSerializer.Info<>(VectorPart.class, new PartSerializer());
    public static final TypeInformation<FeatureRow> ROW =
            new RecordSerializer.Info<>(FeatureRow.class, new RowSerializer());
    public static final TypeInformation<LateRecord> LATE =
            new RecordSerializer.Info<>(LateRecord.class, new LateSerializer());
    public static final TypeInformation<DecodedRow> DECODED =
            new RecordSerializer.Info<>(DecodedRow.class, new DecodedSerializer());
    static final TypeInformation<GroupState> GROUP_STATE =
            new RecordSerializer.Info<>(GroupState.class, new GroupStateSerializer());
    static final TypeInformation<PendingRow> PENDING_ROW =
            new RecordSerializer.Info<>(PendingRow.class, new PendingRowSerializer());

    static void writeEvent(EventRow e, DataOutputView out) throws IOException {
        out.writeInt(e.kind);
        out.writeLong(e.id);
        out.writeLong(e.time);
        Values.writeAll(e.values, out);
    }

    static EventRow readEvent(DataInputView in) throws IOException {
        int kind = in.readInt();
        long id = in.readLong();
        long time = in.readLong();
        return new EventRow(kind, id, time, Values.readAll(in));
    }

    static final class EventSerializer extends RecordSerializer<EventRow> {
        private static final long serialVersionUID = 1L;

        @Override
        void write(EventRow e, DataOutputView out) throws IOException {
            writeEvent(e, out);
        }

        @Override
        EventRow read(DataInputView in) throws IOException {
            return readEvent(in);
        }

        @Override
        EventRow deepCopy(EventRow e) {
            return new EventRow(e.kind, e.id, e.time, e.values.clone()); // values are immutable
        }

        @Override
        public TypeSerializerSnapshot<EventRow> snapshotConfiguration() {
            return new EventSnapshot();
        }
    }

    public static final class EventSnapshot extends RecordSerializer.Snapshot<EventRow> {
        public EventSnapshot() {
            super(EventSerializer::new);
        }
    }

    static final class RoutedSerializer extends RecordSerializer<RoutedEvent> {
        private static final long serialVersionUID = 1L;

        @Override
        void write(RoutedEvent r, DataOutputView out) throws IOException {
            StringValue.writeString(r.key, out);
            out.writeInt(r.group);
            out.writeByte((r.contributes ? 1 : 0) | (r.query ? 2 : 0));
            out.writeLong(r.notBefore);
            writeEvent(r.event, out);
        }

        @Override
        RoutedEvent read(DataInputView in) throws IOException {
            String key = StringValue.readString(in);
            int group = in.readInt();
            int flags = in.readByte();
            long notBefore = in.readLong();
            return new RoutedEvent(
                    key, group, (flags & 1) != 0, (flags & 2) != 0, notBefore, readEvent(in));
        }

        @Override
        RoutedEvent deepCopy(RoutedEvent r) {
            return r; // immutable
        }

        @Override
        public TypeSerializerSnapshot<RoutedEvent> snapshotConfiguration() {
            return new RoutedSnapshot();
        }
    }

    public static final class RoutedSnapshot extends RecordSerializer.Snapshot<RoutedEvent> {
        public RoutedSnapshot() {
            super(RoutedSerializer::new);
        }
    }

    static final class PartSerializer extends RecordSerializer<VectorPart> {
        private static final long serialVersionUID = 1L;

        @Override
        void write(VectorPart p, DataOutputView out) throws IOException {
            out.writeLong(p.id);
            out.writeInt(p.part);
            out.writeLong(p.time);
            out.writeLong(p.watermark);
            Values.writeAll(p.values, out);
        }

        @Override
        VectorPart read(DataInputView in) throws IOException {
            return new VectorPart(
                    in.readLong(), in.readInt(), in.readLong(), in.readLong(), Values.readAll(in));
        }

        @Override
        VectorPart deepCopy(VectorPart p) {
            return new VectorPart(p.id, p.part, p.time, p.watermark, p.values.clone());
        }

        @Override
        public TypeSerializerSnapshot<VectorPart> snapshotConfiguration() {
            return new PartSnapshot();
        }
    }

    public static final class PartSnapshot extends RecordSerializer.Snapshot<VectorPart> {
        public PartSnapshot() {
            super(PartSerializer::new);
        }
    }

    static final class RowSerializer extends RecordSerializer<FeatureRow> {
        private static final long serialVersionUID = 1L;

        @Override
        void write(FeatureRow r, DataOutputView out) throws IOException {
            out.writeLong(r.id);
            out.writeLong(r.time);
            Values.writeAll(r.values, out);
        }

        @Override
        FeatureRow read(DataInputView in) throws IOException {
            return new FeatureRow(in.readLong(), in.readLong(), Values.readAll(in));
        }

        @Override
        FeatureRow deepCopy(FeatureRow r) {
            return new FeatureRow(r.id, r.time, r.values.clone());
        }

        @Override
        public TypeSerializerSnapshot<FeatureRow> snapshotConfiguration() {
            return new RowSnapshot();
        }
    }

    public static final class RowSnapshot extends RecordSerializer.Snapshot<FeatureRow> {
        public RowSnapshot() {
            super(RowSerializer::new);
        }
    }

    static final class LateSerializer extends RecordSerializer<LateRecord> {
        private static final long serialVersionUID = 1L;

        @Override
        void write(LateRecord l, DataOutputView out) throws IOException {
            writeEvent(l.event, out);
            StringValue.writeString(l.kind, out);
            out.writeLong(l.watermark);
            out.writeBoolean(l.queryLate);
            out.writeInt(l.missed.length);
            for (MissedWindow m : l.missed) {
                StringValue.writeString(m.feature, out);
                StringValue.writeString(m.key, out);
                out.writeLong(m.from);
                out.writeLong(m.until);
            }
        }

        @Override
        LateRecord read(DataInputView in) throws IOException {
            EventRow e = readEvent(in);
            String kind = StringValue.readString(in);
            long watermark = in.readLong();
            boolean queryLate = in.readBoolean();
            MissedWindow[] missed = new MissedWindow[in.readInt()];
            for (int i = 0; i < missed.length; i++) {
                missed[i] =
                        new MissedWindow(
                                StringValue.readString(in),
                                StringValue.readString(in),
                                in.readLong(),
                                in.readLong());
            }
            return new LateRecord(e, kind, watermark, queryLate, missed);
        }

        @Override
        LateRecord deepCopy(LateRecord l) {
            return l; // not changed after it is made
        }

        @Override
        public TypeSerializerSnapshot<LateRecord> snapshotConfiguration() {
            return new LateSnapshot();
        }
    }

    public static final class LateSnapshot extends RecordSerializer.Snapshot<LateRecord> {
        public LateSnapshot() {
            super(LateSerializer::new);
        }
    }

    /** Slot states tagged by their class (and value type), then written in their own format. */
    static final class GroupStateSerializer extends RecordSerializer<GroupState> {
        private static final long serialVersionUID = 1L;
        private static final int ABSENT = 0;
        private static final int COUNT = 1;
        private static final int LONG_SUM = 2;
        private static final int DOUBLE_SUM = 3;
        private static final int MULTISET = 4;
        private static final int LATEST = 5;

        @Override
        void write(GroupState g, DataOutputView out) throws IOException {
            out.writeInt(g.slots.length);
            for (AggState<?> s : g.slots) {
                if (s == null) {
                    out.writeByte(ABSENT);
                } else if (s instanceof CountState) {
                    out.writeByte(COUNT);
                } else if (s instanceof LongSumState) {
                    out.writeByte(LONG_SUM);
                } else if (s instanceof DoubleSumState) {
                    out.writeByte(DOUBLE_SUM);
                } else if (s instanceof ValueMultiset) {
                    out.writeByte(MULTISET);
                    StringValue.writeString(((ValueMultiset) s).type().specName(), out);
                } else if (s instanceof LatestValues) {
                    out.writeByte(LATEST);
                    StringValue.writeString(((LatestValues) s).type().specName(), out);
                } else {
                    throw new IOException("unknown aggregation state " + s.getClass());
                }
                if (s != null) {
                    s.write(out);
                }
            }
        }

        @Override
        GroupState read(DataInputView in) throws IOException {
            AggState<?>[] slots = new AggState<?>[in.readInt()];
            for (int i = 0; i < slots.length; i++) {
                int tag = in.readByte();
                switch (tag) {
                    case ABSENT:
                        break;
                    case COUNT:
                        slots[i] = CountState.read(in);
                        break;
                    case LONG_SUM:
                        slots[i] = LongSumState.read(in);
                        break;
                    case DOUBLE_SUM:
                        slots[i] = DoubleSumState.read(in);
                        break;
                    case MULTISET:
                        slots[i] =
                                ValueMultiset.read(in, ValueType.parse(StringValue.readString(in)));
                        break;
                    case LATEST:
                        slots[i] =
                                LatestValues.read(in, ValueType.parse(StringValue.readString(in)));
                        break;
                    default:
                        throw new IOException("corrupt group state: unknown slot tag " + tag);
                }
            }
            return new GroupState(slots);
        }

        @Override
        GroupState deepCopy(GroupState g) {
            return g.copy();
        }

        @Override
        public TypeSerializerSnapshot<GroupState> snapshotConfiguration() {
            return new GroupStateSnapshot();
        }
    }

    public static final class GroupStateSnapshot extends RecordSerializer.Snapshot<GroupState> {
        public GroupStateSnapshot() {
            super(GroupStateSerializer::new);
        }
    }

    static final class PendingRowSerializer extends RecordSerializer<PendingRow> {
        private static final long serialVersionUID = 1L;

        @Override
        void write(PendingRow p, DataOutputView out) throws IOException {
            out.writeLong(p.start);
            out.writeLong(p.deadline);
            out.writeLong(p.retiredUntil);
            out.writeLong(p.emitAt);
            out.writeLong(p.queryTime);
            out.writeInt(p.queryCount);
            out.writeLong(p.labelTime);
            out.writeInt(p.labelCount);
            out.writeInt(p.received);
            out.writeInt(p.flags);
            Values.writeAll(p.values, out);
        }

        @Override
        PendingRow read(DataInputView in) throws IOException {
            PendingRow p = new PendingRow();
            p.start = in.readLong();
            p.deadline = in.readLong();
            p.retiredUntil = in.readLong();
            p.emitAt = in.readLong();
            p.queryTime = in.readLong();
            p.queryCount = in.readInt();
            p.labelTime = in.readLong();
            p.labelCount = in.readInt();
            p.received = in.readInt();
            p.flags = in.readInt();
            p.values = Values.readAll(in);
            return p;
        }

        @Override
        PendingRow deepCopy(PendingRow p) {
            PendingRow c = new PendingRow();
            c.start = p.start;
            c.deadline = p.deadline;
            c.retiredUntil = p.retiredUntil;
            c.emitAt = p.emitAt;
            c.queryTime = p.queryTime;
            c.queryCount = p.queryCount;
            c.labelTime = p.labelTime;
            c.labelCount = p.labelCount;
            c.received = p.received;
            c.flags = p.flags;
            c.values = p.values.clone();
            return c;
        }

        @Override
        public TypeSerializerSnapshot<PendingRow> snapshotConfiguration() {
            return new PendingRowSnapshotV2();
        }
    }

    /**
     * The join state of Parity before duplicate ids were detected (one pending row, cleared on
     * emission). Kept so that a savepoint holding it can be read far enough to be refused.
     */
    public static final class PendingRowSnapshot extends RecordSerializer.Snapshot<PendingRow> {
        public PendingRowSnapshot() {
            super(PendingRowSerializer::new);
        }
    }

    /** The join state with generations and duplicate counts ({@link PendingRow}). */
    public static final class PendingRowSnapshotV2 extends RecordSerializer.Snapshot<PendingRow> {
        public PendingRowSnapshotV2() {
            super(PendingRowSerializer::new);
        }

        @Override
        public TypeSerializerSchemaCompatibility<PendingRow> resolveSchemaCompatibility(
                TypeSerializerSnapshot<PendingRow> old) {
            if (old instanceof PendingRowSnapshot) {
                // another layout: restoring it would misread every pending row
                return TypeSerializerSchemaCompatibility.incompatible();
            }
            return super.resolveSchemaCompatibility(old);
        }
    }

    static final class DecodedSerializer extends RecordSerializer<DecodedRow> {
        private static final long serialVersionUID = 1L;

        @Override
        void write(DecodedRow d, DataOutputView out) throws IOException {
            StringValue.writeString(d.source, out);
            out.writeLong(d.line);
            out.writeBoolean(d.isValid());
            if (d.isValid()) {
                out.writeInt(d.events.length);
                for (EventRow e : d.events) {
                    writeEvent(e, out);
                }
            } else {
                StringValue.writeString(d.reason, out);
                StringValue.writeString(d.raw, out);
            }
        }

        @Override
        DecodedRow read(DataInputView in) throws IOException {
            String source = StringValue.readString(in);
            long line = in.readLong();
            if (in.readBoolean()) {
                EventRow[] events = new EventRow[in.readInt()];
                for (int i = 0; i < events.length; i++) {
                    events[i] = readEvent(in);
                }
                return DecodedRow.ok(source, line, events);
            }
            return DecodedRow.rejected(
                    source, line, StringValue.readString(in), StringValue.readString(in));
        }

        @Override
        DecodedRow deepCopy(DecodedRow d) {
            return d; // not changed after it is made
        }

        @Override
        public TypeSerializerSnapshot<DecodedRow> snapshotConfiguration() {
            return new DecodedSnapshot();
        }
    }

    public static final class DecodedSnapshot extends RecordSerializer.Snapshot<DecodedRow> {
        public DecodedSnapshot() {
            super(DecodedSerializer::new);
        }
    }
}
