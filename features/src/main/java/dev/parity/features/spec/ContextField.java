package dev.parity.features.spec;

import java.io.Serializable;

/**
 * A value of the query event copied into its feature vector, with no window and no state: a field
 * of the query event ({@code merchant}), or a named CEL expression over its fields ({@code {name:
 * dep_hour, expr: "time.getHours('UTC')"}}). A plain field is the expression that names it, so both
 * forms are one model.
 */
public final class ContextField implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String name;
    private final SpecExpression expression;

    ContextField(String name, SpecExpression expression) {
        this.name = name;
        this.expression = expression;
    }

    /** The output column. */
    public String name() {
        return name;
    }

    /** The value, over the query event's fields. */
    public SpecExpression expression() {
        return expression;
    }

    /** The type of the value. */
    public FieldType type() {
        return expression.type();
    }

    @Override
    public String toString() {
        return name + "=" + expression;
    }

    /** The raw form of one context entry, as the builder collects it. */
    static final class Raw {
        final String name;
        final String field;
        final String expr;
        final String type;

        Raw(String name, String field, String expr, String type) {
            this.name = name;
            this.field = field;
            this.expr = expr;
            this.type = type;
        }
    }
}
