package dev.parity.features.agg;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The type of a field a feature aggregates, as a feature spec names it, with the Java class its
 * values have in the aggregation core and their binary form in aggregation state.
 *
 * <p>Values compare by their natural order: {@link Double#compareTo} for doubles (so {@code -0.0 <
 * 0.0} and NaN above every other value, all NaNs equal), UTF-16 code units for strings, {@code
 * false < true}. A timestamp is epoch milliseconds as a {@link Long}.
 *
 * <pre>{@code
 * ValueType type = ValueType.parse("double");
 * type.requireValue(12.5, "merchant_amount_max_24h");   // returns 12.5
 * }</pre>
 */
public enum ValueType {
    STRING("string", String.class, 1),
    LONG("long", Long.class, 2),
    DOUBLE("double", Double.class, 3),
    BOOLEAN("boolean", Boolean.class, 4),
    TIMESTAMP("timestamp", Long.class, 5);

    private final String specName;
    private final Class<?> javaType;
    // in serialized states; fixed here so that reordering the constants keeps old state readable
    private final int code;

    ValueType(String specName, Class<?> javaType, int code) {
        this.specName = specName;
        this.javaType = javaType;
        this.code = code;
    }

    /** The name a feature spec uses, e.g. {@code timestamp}. */
    public String specName() {
        return specName;
    }

    /** The class of this type's non-null values. */
    public Class<?> javaType() {
        return javaType;
    }

    /** Whether {@code sum} and {@code mean} apply. */
    public boolean isNumeric() {
        return this == LONG || this == DOUBLE;
    }

    /** The type a feature spec names {@code name}. */
    public static ValueType parse(String name) {
        for (ValueType t : values()) {
            if (t.specName.equals(name)) {
                return t;
            }
        }
        throw new IllegalArgumentException(
                "unknown value type '"
                        + name
                        + "', valid: "
                        + Arrays.stream(values())
                                .map(ValueType::specName)
                                .collect(Collectors.joining(", ")));
    }

    /**
     * Returns {@code value} if it is null or of this type, so a wrongly typed row fails where it
     * enters instead of deep inside a sorted map.
     */
    public Object requireValue(Object value, String context) {
        if (value != null && !javaType.isInstance(value)) {
            throw new IllegalArgumentException(
                    context
                            + ": expected a "
                            + specName
                            + " value ("
                            + javaType.getSimpleName()
                            + "), got "
                            + value.getClass().getSimpleName()
                            + " "
                            + describe(value));
        }
        return value;
    }

    /** A value as error messages show it: strings quoted, everything else in Java's form. */
    static String describe(Object value) {
        return value instanceof String ? "'" + value + "'" : String.valueOf(value);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    static int compare(Object a, Object b) {
        return ((Comparable) a).compareTo(b);
    }

    void write(DataOutput out, Object value) throws IOException {
        switch (this) {
            case STRING:
                String s = (String) value;
                Varints.writeUnsigned(out, s.length());
                // Char by char, not UTF-8: lone surrogates are valid Java strings and must round
                // trip, and ASCII still costs one byte a char.
                for (int i = 0; i < s.length(); i++) {
                    Varints.writeUnsigned(out, s.charAt(i));
                }
                break;
            case LONG:
            case TIMESTAMP:
                Varints.writeSigned(out, (Long) value);
                break;
            case DOUBLE:
                // doubleToLongBits folds every NaN into one, as Double.compareTo does
                out.writeLong(Double.doubleToLongBits((Double) value));
                break;
            case BOOLEAN:
                out.writeBoolean((Boolean) value);
                break;
            default:
                throw new AssertionError(this);
        }
    }

    Object read(DataInput in) throws IOException {
        switch (this) {
            case STRING:
                int length = Varints.readSize(in, "string");
                StringBuilder sb = new StringBuilder(Math.min(length, 1024));
                for (int i = 0; i < length; i++) {
                    long c = Varints.readUnsigned(in);
                    if (c < 0 || c > Character.MAX_VALUE) {
                        throw new IOException("corrupt string char " + c);
                    }
                    sb.append((char) c);
                }
                return sb.toString();
            case LONG:
            case TIMESTAMP:
                return Varints.readSigned(in);
            case DOUBLE:
                return Double.longBitsToDouble(in.readLong());
            case BOOLEAN:
                return in.readBoolean();
            default:
                throw new AssertionError(this);
        }
    }

    void writeCode(DataOutput out) throws IOException {
        out.writeByte(code);
    }

    /** Reads the code {@link #writeCode} wrote and checks that it is this type's. */
    void readCode(DataInput in, String state) throws IOException {
        int c = in.readUnsignedByte();
        if (c != code) {
            ValueType found = null;
            for (ValueType t : values()) {
                found = t.code == c ? t : found;
            }
            throw new IOException(
                    state
                            + " holds "
                            + (found == null ? "unknown value type code " + c : found.specName)
                            + " values, expected "
                            + specName);
        }
    }

    @Override
    public String toString() {
        return specName;
    }
}
