package dev.parity.features.spec;

/**
 * A spec is invalid. The message is one line, {@code <spec file>: <entry>: <field>: <problem>},
 * e.g. {@code my.yaml: features[2] (merchant_amount_mean_30d): value: required for aggregation
 * 'mean'}: the user can find the place without a stack trace. An {@link IllegalArgumentException},
 * so the launcher reports it as bad input (exit code 2).
 */
public final class SpecException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String origin;
    private final String entry;
    private final String field;
    private final String problem;

    SpecException(String origin, String entry, String field, String problem) {
        super(format(origin, entry, field, problem));
        this.origin = origin;
        this.entry = entry;
        this.field = field;
        this.problem = problem;
    }

    SpecException(String origin, String entry, String field, String problem, Throwable cause) {
        this(origin, entry, field, problem);
        initCause(cause);
    }

    private static String format(String origin, String entry, String field, String problem) {
        StringBuilder sb = new StringBuilder(origin);
        if (entry != null) {
            sb.append(": ").append(entry);
        }
        if (field != null) {
            sb.append(": ").append(field);
        }
        return sb.append(": ").append(problem).toString();
    }

    /** The spec file (or what the builder was told it is). */
    public String origin() {
        return origin;
    }

    /** The entry, e.g. {@code features[2] (merchant_amount_mean_30d)} or {@code events.payment}. */
    public String entry() {
        return entry;
    }

    /** The field of the entry, e.g. {@code value}; null when the problem is the entry itself. */
    public String field() {
        return field;
    }

    /** What is wrong, without the position. */
    public String problem() {
        return problem;
    }
}
