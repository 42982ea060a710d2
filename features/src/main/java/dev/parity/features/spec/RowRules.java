package dev.parity.features.spec;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a valid input row or event must satisfy beyond its field types, declared under {@code
 * source} or an event kind: the fields that must not be null ({@code required}) and boolean CEL
 * checks over the fields ({@code checks}). A row that fails one is rejected, with the reason, by
 * every reader alike (CSV, Parquet, Kafka JSON, online requests). A check reading a null field does
 * not apply (a null is the business of {@code required}). Every string field has a length limit,
 * {@value #DEFAULT_MAX_LENGTH} characters unless {@code max_length} declares another for it.
 *
 * <pre>{@code
 * required: [id, date, distance]
 * checks:
 *   - {expr: "distance >= 0", reason: "field 'distance' must not be negative"}
 *   - "amount < 1000000.0"                     # reason: check failed: amount < 1000000.0
 * max_length: {note: 65536}                    # characters; others: 1024
 * }</pre>
 */
public final class RowRules implements Serializable {
    private static final long serialVersionUID = 1L;

    /** No rules (the default). */
    public static final RowRules NONE = new RowRules(List.of(), List.of(), Map.of());

    /**
     * The length limit of a string field without a declared {@code max_length}, in characters
     * (Unicode code points). It keeps a broken or hostile row (a 10 MB airport code) out of the
     * keys, the state and the output.
     */
    public static final int DEFAULT_MAX_LENGTH = 1024;

    /** The largest {@code max_length} a spec may declare (16 Mi characters). */
    public static final int LARGEST_MAX_LENGTH = 1 << 24;

    private final List<String> required;
    private final List<Check> checks;
    private final Map<String, Integer> maxLength;

    RowRules(List<String> required, List<Check> checks, Map<String, Integer> maxLength) {
        this.required = Collections.unmodifiableList(new ArrayList<>(required));
        this.checks = Collections.unmodifiableList(new ArrayList<>(checks));
        this.maxLength = Collections.unmodifiableMap(new LinkedHashMap<>(maxLength));
    }

    /** The fields that must not be null, in declaration order. */
    public List<String> required() {
        return required;
    }

    /** The checks, in declaration order (the first that fails is the reason). */
    public List<Check> checks() {
        return checks;
    }

    /** The declared length limits of string fields, in declaration order (others: the default). */
    public Map<String, Integer> declaredMaxLengths() {
        return maxLength;
    }

    /** The length limit of string field {@code field}, in characters. */
    public int maxLength(String field) {
        return maxLength.getOrDefault(field, DEFAULT_MAX_LENGTH);
    }

    /** Whether nothing is declared (the default length limit still applies). */
    public boolean isEmpty() {
        return required.isEmpty() && checks.isEmpty() && maxLength.isEmpty();
    }

    @Override
    public String toString() {
        return "required " + required + ", checks " + checks + ", max_length " + maxLength;
    }

    /** One check: a boolean expression over the fields, and the reason a failing row gets. */
    public static final class Check implements Serializable {
        private static final long serialVersionUID = 1L;
        private final SpecExpression expression;
        private final String reason;

        Check(SpecExpression expression, String reason) {
            this.expression = expression;
            this.reason = reason;
        }

        public SpecExpression expression() {
            return expression;
        }

        /** The reason given (or {@code check failed: <expr>}). */
        public String reason() {
            return reason;
        }

        @Override
        public String toString() {
            return expression.text();
        }
    }

    /** Collects rules as a spec writes them; the validator checks them. */
    static final class Raw {
        final List<String> required = new ArrayList<>();
        final List<String[]> checks = new ArrayList<>(); // {expr, reason or null}
        final List<Object[]> maxLength = new ArrayList<>(); // {field, Long or null}
    }
}
