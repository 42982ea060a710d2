package dev.parity.features.spec;

import dev.parity.features.agg.ValueType;
import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The type of a declared field: what a spec writes after a field's name ({@code amount: double}).
 * Each maps to the {@link ValueType} the aggregation core stores, and to one CEL type in
 * expressions ({@link SpecExpressions}).
 *
 * <p>A timestamp is an instant with millisecond precision, held as epoch milliseconds ({@link
 * Long}) everywhere outside an expression.
 */
public enum FieldType {
    STRING("string", ValueType.STRING),
    /** A signed 64-bit integer; CEL's {@code int}. */
    LONG("long", ValueType.LONG),
    DOUBLE("double", ValueType.DOUBLE),
    /** CEL's {@code bool}. */
    BOOLEAN("boolean", ValueType.BOOLEAN),
    /** An instant, epoch milliseconds; CEL's {@code timestamp}. */
    TIMESTAMP("timestamp", ValueType.TIMESTAMP);

    private final String specName;
    private final ValueType valueType;

    FieldType(String specName, ValueType valueType) {
        this.specName = specName;
        this.valueType = valueType;
    }

    /** The name a spec uses, e.g. {@code timestamp}. */
    public String specName() {
        return specName;
    }

    /** The type the aggregation core uses for values of this field. */
    public ValueType valueType() {
        return valueType;
    }

    /** The field type of a value type (the two enums correspond one to one). */
    public static FieldType of(ValueType type) {
        for (FieldType t : values()) {
            if (t.valueType == type) {
                return t;
            }
        }
        throw new IllegalArgumentException("no field type for value type " + type);
    }

    /** The type a spec calls {@code name}, if any. */
    public static Optional<FieldType> fromSpecName(String name) {
        for (FieldType t : values()) {
            if (t.specName.equals(name)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }

    /** "string, long, double, boolean, timestamp": for error messages. */
    public static String specNames() {
        return Arrays.stream(values()).map(FieldType::specName).collect(Collectors.joining(", "));
    }

    @Override
    public String toString() {
        return specName;
    }
}
