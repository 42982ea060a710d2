package dev.parity.features.spec;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One kind of event a spec declares: its typed fields in declaration order, the field holding its
 * event time (a timestamp) and, optionally, the field holding its id (a long, unique within the
 * kind). The id is required where it is used: by the query kind (the output's {@code id} column),
 * by a kind a label is joined from, and by a kind a {@code last} feature reads (ties at the same
 * time go to the greatest id).
 *
 * <p>Built only through {@link FeatureSpec.Builder#event}, so every instance has been validated.
 */
public final class EventKind implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String name;
    private final Map<String, FieldType> fields;
    private final String idField;
    private final String timeField;
    private final RowRules rules;

    EventKind(
            String name,
            Map<String, FieldType> fields,
            String idField,
            String timeField,
            RowRules rules) {
        this.name = name;
        this.fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
        this.idField = idField;
        this.timeField = timeField;
        this.rules = rules;
    }

    /** What an event of this kind must satisfy beyond its types ({@link RowRules}). */
    public RowRules rules() {
        return rules;
    }

    /** The kind's name, e.g. {@code payment}. */
    public String name() {
        return name;
    }

    /** Field name to type, in declaration order. */
    public Map<String, FieldType> fields() {
        return fields;
    }

    /** The type of {@code field}, if the kind has it. */
    public Optional<FieldType> fieldType(String field) {
        return Optional.ofNullable(fields.get(field));
    }

    /** The long field that identifies an event of this kind, if declared. */
    public Optional<String> idField() {
        return Optional.ofNullable(idField);
    }

    /** The timestamp field that holds the event time. */
    public String timeField() {
        return timeField;
    }

    @Override
    public String toString() {
        return name + fields;
    }

    /** Collects a kind's declaration; {@link FeatureSpec.Builder#build()} checks it. */
    public static final class Builder {
        final String name;
        final List<String[]> fields = new ArrayList<>(); // {name, type}, duplicates kept
        String id;
        String time;
        final RowRules.Raw rules = new RowRules.Raw();

        Builder(String name) {
            this.name = name;
        }

        /** Declares a field; {@code type} as a spec writes it ({@code long}, ...). */
        public Builder field(String field, String type) {
            fields.add(new String[] {field, type});
            return this;
        }

        public Builder field(String field, FieldType type) {
            return field(field, type == null ? null : type.specName());
        }

        /** The long field that identifies an event. */
        public Builder id(String field) {
            this.id = field;
            return this;
        }

        /** The timestamp field that holds the event time. */
        public Builder time(String field) {
            this.time = field;
            return this;
        }

        /** An event with a null {@code field} is rejected ({@code missing field '<field>'}). */
        public Builder require(String field) {
            rules.required.add(field);
            return this;
        }

        /**
         * An event for which the boolean CEL {@code expression} is false is rejected with {@code
         * reason} (null: {@code check failed: <expression>}).
         */
        public Builder check(String expression, String reason) {
            rules.checks.add(new String[] {expression, reason});
            return this;
        }

        /**
         * An event whose string {@code field} is longer than {@code characters} is rejected
         * (without this, the limit is {@link RowRules#DEFAULT_MAX_LENGTH}).
         */
        public Builder maxLength(String field, long characters) {
            rules.maxLength.add(new Object[] {field, characters});
            return this;
        }
    }
}
