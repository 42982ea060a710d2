package dev.parity.features.engine;

import java.io.IOException;
import java.util.Objects;
import java.util.function.Supplier;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * The serializers of the engine's records. Each is stateless: values carry a one-byte type tag
 * ({@link Values}) and aggregation states say which aggregation they belong to ({@link AggStates}),
 * so a serializer needs no schema and its snapshot is just its class and format version. What a
 * record means is the spec's business, and a restore with another spec is refused by the router
 * before any of this state is read ({@link SpecRouter}).
 *
 * @param <T> the record type
 */
abstract class RecordSerializer<T> extends TypeSerializer<T> {
    private static final long serialVersionUID = 1L;

    abstract void write(T record, DataOutputView out) throws IOException;

    abstract T read(DataInputView in) throws IOException;

    /** A copy sharing nothing mutable with {@code record}. */
    abstract T deepCopy(T record);

    @Override
    public final boolean isImmutableType() {
        return false;
    }

    @Override
    public final TypeSerializer<T> duplicate() {
        return this;
    }

    @Override
    public T createInstance() {
        return null;
    }

    @Override
    public final T copy(T from) {
        return from == null ? null : deepCopy(from);
    }

    @Override
    public final T copy(T from, T reuse) {
        return copy(from);
    }

    @Override
    public final int getLength() {
        return -1;
    }

    @Override
    public final void serialize(T record, DataOutputView target) throws IOException {
        write(record, target);
    }

    @Override
    public final T deserialize(DataInputView source) throws IOException {
        return read(source);
    }

    @Override
    public final T deserialize(T reuse, DataInputView source) throws IOException {
        return read(source);
    }

    @Override
    public final void copy(DataInputView source, DataOutputView target) throws IOException {
        write(read(source), target);
    }

    @Override
    public final boolean equals(Object obj) {
        return obj != null && obj.getClass() == getClass();
    }

    @Override
    public final int hashCode() {
        return getClass().hashCode();
    }

    /** The snapshot of a stateless serializer: its class and the format version. */
    abstract static class Snapshot<T> extends SimpleTypeSerializerSnapshot<T> {
        Snapshot(Supplier<? extends TypeSerializer<T>> serializer) {
            super(serializer);
        }
    }

    /** Type information for one record class and its serializer. */
    static final class Info<T> extends TypeInformation<T> {
        private static final long serialVersionUID = 1L;

        private final Class<T> type;
        private final RecordSerializer<T> serializer;

        Info(Class<T> type, RecordSerializer<T> serializer) {
            this.type = type;
            this.serializer = serializer;
        }

        @Override
        public boolean isBasicType() {
            return false;
        }

        @Override
        public boolean isTupleType() {
            return false;
        }

        @Override
        public int getArity() {
            return 1;
        }

        @Override
        public int getTotalFields() {
            return 1;
        }

        @Override
        public Class<T> getTypeClass() {
            return type;
        }

        @Override
        public boolean isKeyType() {
            return false;
        }

        @Override
        public TypeSerializer<T> createSerializer(SerializerConfig config) {
            return serializer;
        }

        @Override
        public String toString() {
            return type.getSimpleName();
        }

        @Override
        public boolean equals(Object obj) {
            return obj instanceof Info && ((Info<?>) obj).type == type;
        }

        @Override
        public int hashCode() {
            return Objects.hash(type);
        }

        @Override
        public boolean canEqual(Object obj) {
            return obj instanceof Info;
        }
    }

    @Override
    public abstract TypeSerializerSnapshot<T> snapshotConfiguration();
}
