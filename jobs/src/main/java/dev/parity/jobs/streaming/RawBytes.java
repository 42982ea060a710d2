package dev.parity.jobs.streaming;

import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/**
 * Kafka record bodies as they are: the job decodes JSON itself, so bad records reach dead letters.
 */
public final class RawBytes implements DeserializationSchema<byte[]>, SerializationSchema<byte[]> {
    private static final long serialVersionUID = 1L;

    @Override
    public byte[] deserialize(byte[] message) {
        return message;
    }

    @Override
    public boolean isEndOfStream(byte[] nextElement) {
        return false;
    }

    @Override
    public byte[] serialize(byte[] element) {
        return element;
    }

    @Override
    public TypeInformation<byte[]> getProducedType() {
        return PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO;
    }

    /**
     * Record key for the job's JSON outputs: the flight id when the JSON starts with {@code
     * {"id":N} (predictions), else null (dead letters and late events, no key).
     */
    public static final class IdKey implements SerializationSchema<byte[]> {
        private static final long serialVersionUID = 1L;

        @Override
        public byte[] serialize(byte[] json) {
            String s = new String(json, 0, Math.min(json.length, 32), StandardCharsets.UTF_8);
            if (!s.startsWith("{\"id\":")) {
                return null;
            }
            int end = 6;
            while (end < s.length() && Character.isDigit(s.charAt(end))) {
                end++;
            }
            return end == 6 ? null : s.substring(6, end).getBytes(StandardCharsets.UTF_8);
        }
    }
}
