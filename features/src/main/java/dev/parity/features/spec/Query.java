package dev.parity.features.spec;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * Which events get a feature vector, computed at their own time: every event of one kind. The
 * vector holds the query event's id, its context values, every feature and the optional label.
 *
 * <p>A feature matches the events whose key fields equal the query event's fields of the same
 * names, so the query kind carries every key field of every feature.
 */
public final class Query implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String event;
    private final List<ContextField> context;
    private final Label label;

    Query(String event, List<ContextField> context, Label label) {
        this.event = event;
        this.context = Collections.unmodifiableList(new ArrayList<>(context));
        this.label = label;
    }

    /** The query event kind. */
    public String event() {
        return event;
    }

    /** The context values, in output order. */
    public List<ContextField> context() {
        return context;
    }

    public Optional<Label> label() {
        return Optional.ofNullable(label);
    }

    @Override
    public String toString() {
        return "Query{" + event + ", context=" + context + ", label=" + label + "}";
    }

    /** Collects the query's declaration; {@link FeatureSpec.Builder#build()} checks it. */
    public static final class Builder {
        String event;
        final List<ContextField.Raw> context = new ArrayList<>();
        String labelEvent;
        String labelField;
        boolean labelSet;

        Builder() {}

        /** The query event kind. */
        public Builder event(String kind) {
            this.event = kind;
            return this;
        }

        /** Copies the query event's {@code field} into the vector, as a column of that name. */
        public Builder context(String field) {
            context.add(new ContextField.Raw(field, field, null, null));
            return this;
        }

        /** A column {@code name} holding a CEL expression over the query event's fields. */
        public Builder contextExpr(String name, String expr) {
            context.add(new ContextField.Raw(name, null, expr, null));
            return this;
        }

        /**
         * As {@link #contextExpr(String, String)}, declaring the expression's type (a spec type
         * name); validation fails if CEL infers another.
         */
        public Builder contextExpr(String name, String expr, String type) {
            context.add(new ContextField.Raw(name, null, expr, type));
            return this;
        }

        public Builder contextExpr(String name, String expr, FieldType type) {
            return contextExpr(name, expr, type == null ? null : type.specName());
        }

        /** The label is the query event's {@code field}. */
        public Builder label(String field) {
            return label(null, field);
        }

        /** The label is {@code field} of the {@code event} that has the query event's id. */
        public Builder label(String event, String field) {
            this.labelEvent = event;
            this.labelField = field;
            this.labelSet = true;
            return this;
        }
    }
}
