package dev.parity.features.spec;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * How one row of an input file becomes events of several kinds: the row's typed fields, and for
 * each emitted kind an expression per event field over the row's fields. Without a source, a file
 * holds events of one kind, its columns named as the kind's fields.
 *
 * <p>Flights: a row {@code id,date,delay,distance,origin,destination} emits a departure at {@code
 * date} and an arrival at a computed time.
 *
 * <pre>{@code
 * source:
 *   fields: {id: long, date: timestamp, delay: long, distance: long, origin: string, destination: string}
 *   emit:
 *     - event: departure
 *       values: {id: id, time: date, origin: origin, dest: destination, distance: distance}
 * }</pre>
 */
public final class Source implements Serializable {
    private static final long serialVersionUID = 1L;

    private final Map<String, FieldType> fields;
    private final List<Emit> emits;
    private final RowRules rules;

    Source(Map<String, FieldType> fields, List<Emit> emits, RowRules rules) {
        this.fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
        this.emits = Collections.unmodifiableList(new ArrayList<>(emits));
        this.rules = rules;
    }

    /** What a row must satisfy beyond its types, before it emits anything ({@link RowRules}). */
    public RowRules rules() {
        return rules;
    }

    /** The row's fields and types, in declaration order. */
    public Map<String, FieldType> fields() {
        return fields;
    }

    /** The events one row becomes, in spec order (at most one per kind). */
    public List<Emit> emits() {
        return emits;
    }

    @Override
    public String toString() {
        return "Source" + fields + " -> " + emits;
    }

    /** One event a row becomes: its kind and, for every field of the kind, an expression. */
    public static final class Emit implements Serializable {
        private static final long serialVersionUID = 1L;

        private final String event;
        private final Map<String, SpecExpression> values;

        Emit(String event, Map<String, SpecExpression> values) {
            this.event = event;
            this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
        }

        /** The event kind emitted. */
        public String event() {
            return event;
        }

        /** Event field to its expression over the row, in the kind's field order. */
        public Map<String, SpecExpression> values() {
            return values;
        }

        @Override
        public String toString() {
            return event + values;
        }
    }

    /** Collects a source's declaration; {@link FeatureSpec.Builder#build()} checks it. */
    public static final class Builder {
        final List<String[]> fields = new ArrayList<>(); // {name, type}
        final List<EmitBuilder> emits = new ArrayList<>();
        final RowRules.Raw rules = new RowRules.Raw();

        Builder() {}

        /** A row with a null {@code field} is rejected ({@code missing field '<field>'}). */
        public Builder require(String field) {
            rules.required.add(field);
            return this;
        }

        /**
         * A row for which the boolean CEL {@code expression} is false is rejected with {@code
         * reason} (null: {@code check failed: <expression>}).
         */
        public Builder check(String expression, String reason) {
            rules.checks.add(new String[] {expression, reason});
            return this;
        }

        /**
         * A row whose string {@code field} is longer than {@code characters} is rejected (without
         * this, the limit is {@link RowRules#DEFAULT_MAX_LENGTH}).
         */
        public Builder maxLength(String field, long characters) {
            rules.maxLength.add(new Object[] {field, characters});
            return this;
        }

        /** Declares a field of the row; {@code type} as a spec writes it. */
        public Builder field(String field, String type) {
            fields.add(new String[] {field, type});
            return this;
        }

        public Builder field(String field, FieldType type) {
            return field(field, type == null ? null : type.specName());
        }

        /** Each row emits an event of kind {@code event}, with values set by {@code values}. */
        public Builder emit(String event, Consumer<EmitBuilder> values) {
            EmitBuilder e = new EmitBuilder(event);
            values.accept(e);
            emits.add(e);
            return this;
        }
    }

    /** The values of one emitted event. */
    public static final class EmitBuilder {
        final String event;
        final List<String[]> values = new ArrayList<>(); // {field, expression}

        EmitBuilder(String event) {
            this.event = event;
        }

        /**
         * The event's {@code field} is {@code expression}: a field name of the row, or a CEL
         * expression over the row's fields.
         */
        public EmitBuilder value(String field, String expression) {
            values.add(new String[] {field, expression});
            return this;
        }
    }
}
