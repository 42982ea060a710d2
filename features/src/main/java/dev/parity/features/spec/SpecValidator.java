package dev.parity.features.spec;

import dev.parity.features.agg.AggregationKind;
import dev.parity.features.agg.ValueType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Turns a {@link FeatureSpec.Builder} into a valid {@link FeatureSpec} or the first problem, as a
 * {@link SpecException} naming the entry and field. All rules live here, so a Java spec and a YAML
 * spec fail the same way; the checks run in spec order (name, events, source, query, features), so
 * the first message is the first problem a reader of the file meets.
 */
final class SpecValidator {
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern SPEC_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*");

    private final FeatureSpec.Builder spec;
    private final String origin;
    private final Map<String, EventKind> kinds = new LinkedHashMap<>();
    // output column -> the entry that declared it, for duplicate messages
    private final Map<String, String> columns = new HashMap<>();
    private final Map<String, Source.Emit> emitted = new HashMap<>();

    SpecValidator(FeatureSpec.Builder spec) {
        this.spec = spec;
        this.origin = spec.origin == null ? "<builder>" : spec.origin;
    }

    FeatureSpec validate() {
        String name = validateName();
        validateEvents();
        Source source = spec.source == null ? null : validateSource();
        Query query = validateQuery();
        List<FeatureDef> features = validateFeatures(query);
        query.label().ifPresent(l -> addColumn("query", "label", l.name()));
        JsonMembers json = validateJson();
        return new FeatureSpec(
                origin, name, new ArrayList<>(kinds.values()), source, query, features, json);
    }

    // ---- json

    private static final List<String> PREDICTION_MEMBERS =
            List.of(FeatureSpec.ID_COLUMN, "model", "version", "prediction");

    private JsonMembers validateJson() {
        if (spec.jsonCount > 1) {
            throw fail("json", null, "declared twice");
        }
        JsonMembers.Builder j = spec.json;
        if (j == null) {
            return JsonMembers.DEFAULT;
        }
        String kind = j.kind == null ? JsonMembers.DEFAULT.kind() : j.kind;
        String time =
                j.predictionTime == null ? JsonMembers.DEFAULT.predictionTime() : j.predictionTime;
        checkMember("kind", kind);
        checkMember("prediction_time", time);
        for (EventKind k : kinds.values()) {
            if (k.fields().containsKey(kind)) {
                throw fail(
                        "json",
                        "kind",
                        "'"
                                + kind
                                + "' is a field of event '"
                                + k.name()
                                + "'; the kind member must not be a field name");
            }
        }
        if (PREDICTION_MEMBERS.contains(time)) {
            throw fail(
                    "json",
                    "prediction_time",
                    "'"
                            + time
                            + "' is already a member of a prediction record "
                            + PREDICTION_MEMBERS);
        }
        return new JsonMembers(kind, time);
    }

    private void checkMember(String field, String member) {
        if (member.isBlank()) {
            throw fail("json", field, "a member name must not be empty");
        }
    }

    private SpecException fail(String entry, String field, String problem) {
        return new SpecException(origin, entry, field, problem);
    }

    // ---- name

    private String validateName() {
        String name = spec.name;
        if (name == null || name.isBlank()) {
            throw fail("name", null, "required: the feature-set name, e.g. payments_v1");
        }
        if (!SPEC_NAME.matcher(name).matches()) {
            throw fail(
                    "name",
                    null,
                    "must start with a letter or digit and hold only letters, digits, '_', '.'"
                            + " and '-', got '"
                            + name
                            + "'");
        }
        return name;
    }

    // ---- events

    private void validateEvents() {
        if (spec.events.isEmpty()) {
            throw fail("events", null, "required: at least one event kind");
        }
        for (int i = 0; i < spec.events.size(); i++) {
            EventKind.Builder k = spec.events.get(i);
            String entry = k.name == null ? "events[" + i + "]" : "events." + k.name;
            if (k.name == null || !IDENTIFIER.matcher(k.name).matches()) {
                throw fail(
                        entry,
                        null,
                        "an event kind's name must be letters, digits and '_', not starting with"
                                + " a digit, got "
                                + quote(k.name));
            }
            if (kinds.containsKey(k.name)) {
                throw fail(entry, null, "declared twice");
            }
            Map<String, FieldType> fields = fields(entry, k.fields);
            String time = k.time;
            if (time == null) {
                throw fail(entry, "time", "required: the timestamp field holding the event time");
            }
            FieldType timeType = requireField(entry, "time", time, k.name, fields);
            if (timeType != FieldType.TIMESTAMP) {
                throw fail(
                        entry,
                        "time",
                        "field '"
                                + time
                                + "' is "
                                + timeType
                                + "; the event time must be a timestamp");
            }
            if (k.id != null) {
                FieldType idType = requireField(entry, "id", k.id, k.name, fields);
                if (idType != FieldType.LONG) {
                    throw fail(
                            entry,
                            "id",
                            "field '" + k.id + "' is " + idType + "; an event id must be a long");
                }
            }
            RowRules rules = rules(entry, k.rules, fields, "event '" + k.name + "'");
            kinds.put(k.name, new EventKind(k.name, fields, k.id, time, rules));
        }
    }

    /** Declared fields ({name, type} pairs) as an ordered map; names and types checked. */
    private Map<String, FieldType> fields(String entry, List<String[]> declared) {
        if (declared.isEmpty()) {
            throw fail(entry, "fields", "required: at least one field");
        }
        Map<String, FieldType> fields = new LinkedHashMap<>();
        for (String[] f : declared) {
            String where = "fields." + f[0];
            checkFieldName(entry, where, f[0]);
            if (fields.containsKey(f[0])) {
                throw fail(entry, where, "declared twice");
            }
            if (f[1] == null) {
                throw fail(entry, where, "type required: one of " + FieldType.specNames());
            }
            FieldType type =
                    FieldType.fromSpecName(f[1])
                            .orElseThrow(
                                    () ->
                                            fail(
                                                    entry,
                                                    where,
                                                    "unknown type '"
                                                            + f[1]
                                                            + "'; expected one of "
                                                            + FieldType.specNames()));
            fields.put(f[0], type);
        }
        return fields;
    }

    private void checkFieldName(String entry, String where, String name) {
        if (name == null || !IDENTIFIER.matcher(name).matches()) {
            throw fail(
                    entry,
                    where,
                    "a field name must be letters, digits and '_', not starting with a digit"
                            + " (expressions name fields as CEL identifiers), got "
                            + quote(name));
        }
        if (SpecExpressions.RESERVED.contains(name)) {
            throw fail(
                    entry,
                    where,
                    "'" + name + "' is a reserved word of CEL expressions; rename the field");
        }
    }

    private FieldType requireField(
            String entry, String where, String field, String kind, Map<String, FieldType> fields) {
        FieldType type = fields.get(field);
        if (type == null) {
            throw fail(entry, where, notAField(field, "event '" + kind + "'", fields));
        }
        return type;
    }

    private static String notAField(String field, String of, Map<String, FieldType> fields) {
        return quote(field)
                + " is not a field of "
                + of
                + " (fields: "
                + String.join(", ", fields.keySet())
                + ")";
    }

    private EventKind requireKind(String entry, String where, String kind) {
        if (kind == null) {
            throw fail(entry, where, "required: one of the event kinds " + kindNames());
        }
        EventKind k = kinds.get(kind);
        if (k == null) {
            throw fail(entry, where, "unknown event kind '" + kind + "'; declared: " + kindNames());
        }
        return k;
    }

    private String kindNames() {
        return String.join(", ", kinds.keySet());
    }

    // ---- source

    private Source validateSource() {
        Source.Builder s = spec.source;
        if (spec.sourceCount > 1) {
            throw fail("source", null, "declared twice");
        }
        Map<String, FieldType> row = fields("source", s.fields);
        if (s.emits.isEmpty()) {
            throw fail("source", "emit", "required: at least one event that a row becomes");
        }
        SpecExpressions env = SpecExpressions.over(row);
        List<Source.Emit> emits = new ArrayList<>();
        Map<String, Integer> emitIndex = new HashMap<>();
        for (int i = 0; i < s.emits.size(); i++) {
            Source.EmitBuilder e = s.emits.get(i);
            String entry = "source.emit[" + i + "]" + (e.event == null ? "" : " (" + e.event + ")");
            EventKind kind = requireKind(entry, "event", e.event);
            Integer earlier = emitIndex.putIfAbsent(kind.name(), i);
            if (earlier != null) {
                throw fail(
                        entry,
                        "event",
                        "'"
                                + kind.name()
                                + "' is already emitted by source.emit["
                                + earlier
                                + "]; a row emits at most one event of a kind");
            }
            Map<String, String> given = new LinkedHashMap<>();
            for (String[] v : e.values) {
                String where = "values." + v[0];
                if (v[0] == null || !kind.fields().containsKey(v[0])) {
                    throw fail(
                            entry,
                            where,
                            notAField(v[0], "event '" + kind.name() + "'", kind.fields()));
                }
                if (given.put(v[0], v[1]) != null) {
                    throw fail(entry, where, "given twice");
                }
            }
            Map<String, SpecExpression> values = new LinkedHashMap<>();
            for (Map.Entry<String, FieldType> f : kind.fields().entrySet()) {
                String where = "values." + f.getKey();
                if (!given.containsKey(f.getKey())) {
                    throw fail(
                            entry,
                            "values",
                            "missing field '"
                                    + f.getKey()
                                    + "' of event '"
                                    + kind.name()
                                    + "': every field gets a value (a row field or an"
                                    + " expression)");
                }
                SpecExpression x =
                        expression(entry, where, given.get(f.getKey()), env, "the source row");
                if (x.type() != f.getValue()) {
                    throw fail(
                            entry,
                            where,
                            "\""
                                    + x.text()
                                    + "\" is "
                                    + x.type()
                                    + ", but field '"
                                    + f.getKey()
                                    + "' of event '"
                                    + kind.name()
                                    + "' is "
                                    + f.getValue()
                                    + (f.getKey().equals(kind.timeField())
                                            ? " (an event time must be a timestamp)"
                                            : ""));
                }
                values.put(f.getKey(), x);
            }
            Source.Emit emit = new Source.Emit(kind.name(), values);
            emits.add(emit);
            emitted.put(kind.name(), emit);
        }
        return new Source(row, emits, rules("source", s.rules, row, "the source row"));
    }

    /** Required fields must be fields, once; checks must be boolean expressions over them. */
    private RowRules rules(
            String entry, RowRules.Raw raw, Map<String, FieldType> fields, String over) {
        List<String> required = new ArrayList<>();
        for (int i = 0; i < raw.required.size(); i++) {
            String f = raw.required.get(i);
            String where = "required[" + i + "]";
            if (f == null || !fields.containsKey(f)) {
                throw fail(entry, where, notAField(f, over, fields));
            }
            if (required.contains(f)) {
                throw fail(entry, where, "'" + f + "' is listed twice");
            }
            required.add(f);
        }
        SpecExpressions env = SpecExpressions.over(fields);
        List<RowRules.Check> checks = new ArrayList<>();
        for (int i = 0; i < raw.checks.size(); i++) {
            String[] c = raw.checks.get(i);
            String where = "checks[" + i + "]";
            SpecExpression x = expression(entry, where, c[0], env, over);
            if (x.type() != FieldType.BOOLEAN) {
                throw fail(
                        entry,
                        where,
                        quote(x.text()) + " is " + x.type() + "; a check must be a boolean");
            }
            if (c[1] != null && c[1].isBlank()) {
                throw fail(entry, where + ".reason", "must not be empty; leave it out instead");
            }
            checks.add(new RowRules.Check(x, c[1] == null ? "check failed: " + x.text() : c[1]));
        }
        Map<String, Integer> maxLength = new LinkedHashMap<>();
        for (Object[] m : raw.maxLength) {
            String f = (String) m[0];
            long n = (Long) m[1];
            String where = "max_length." + f;
            if (f == null || !fields.containsKey(f)) {
                throw fail(entry, "max_length", notAField(f, over, fields));
            }
            if (fields.get(f) != FieldType.STRING) {
                throw fail(
                        entry,
                        where,
                        "'"
                                + f
                                + "' is a "
                                + fields.get(f).specName()
                                + "; only a string has a length");
            }
            if (maxLength.containsKey(f)) {
                throw fail(entry, where, "'" + f + "' is listed twice");
            }
            if (n < 1 || n > RowRules.LARGEST_MAX_LENGTH) {
                throw fail(
                        entry,
                        where,
                        "must be from 1 to "
                                + RowRules.LARGEST_MAX_LENGTH
                                + " characters, got "
                                + n);
            }
            maxLength.put(f, (int) n);
        }
        return required.isEmpty() && checks.isEmpty() && maxLength.isEmpty()
                ? RowRules.NONE
                : new RowRules(required, checks, maxLength);
    }

    /** Compiles {@code text} over {@code env}; a bare unknown name gets a field-list message. */
    private SpecExpression expression(
            String entry, String where, String text, SpecExpressions env, String over) {
        if (text == null || text.isBlank()) {
            throw fail(entry, where, "required: a field name or a CEL expression over " + over);
        }
        String t = text.strip();
        if (IDENTIFIER.matcher(t).matches()
                && !SpecExpressions.RESERVED.contains(t)
                && !env.variables().containsKey(t)) {
            throw fail(entry, where, notAField(t, over, env.variables()));
        }
        try {
            return new SpecExpression(env.compile(text));
        } catch (IllegalArgumentException e) {
            throw new SpecException(origin, entry, where, e.getMessage(), e);
        }
    }

    // ---- query

    private Query validateQuery() {
        Query.Builder q = spec.query;
        if (q == null) {
            throw fail("query", null, "required: which event kind gets a feature vector");
        }
        if (spec.queryCount > 1) {
            throw fail("query", null, "declared twice");
        }
        EventKind kind = requireKind("query", "event", q.event);
        if (kind.idField().isEmpty()) {
            throw fail(
                    "query",
                    "event",
                    "event '"
                            + kind.name()
                            + "' has no id field, and the output's id column is the query event's"
                            + " id; declare events."
                            + kind.name()
                            + ".id");
        }
        columns.put(FeatureSpec.ID_COLUMN, "the query event's id column");
        SpecExpressions env = SpecExpressions.over(kind.fields());
        String over = "the query event '" + kind.name() + "'";
        List<ContextField> context = new ArrayList<>();
        for (int i = 0; i < q.context.size(); i++) {
            ContextField.Raw c = q.context.get(i);
            String entry = "query.context[" + i + "]" + (c.name == null ? "" : " (" + c.name + ")");
            if (c.expr == null) {
                // a plain field: its name is the column
                if (c.field == null || !kind.fields().containsKey(c.field)) {
                    throw fail(entry, null, notAField(c.field, over, kind.fields()));
                }
                addColumn(entry, null, c.field);
                context.add(new ContextField(c.field, expression(entry, null, c.field, env, over)));
                continue;
            }
            if (c.name == null || !IDENTIFIER.matcher(c.name).matches()) {
                throw fail(
                        entry,
                        "name",
                        c.name == null
                                ? "required: the column an expression is written to"
                                : "a column name must be letters, digits and '_', not starting"
                                        + " with a digit, got '"
                                        + c.name
                                        + "'");
            }
            SpecExpression x = expression(entry, "expr", c.expr, env, over);
            if (c.type != null) {
                FieldType declared =
                        FieldType.fromSpecName(c.type)
                                .orElseThrow(
                                        () ->
                                                fail(
                                                        entry,
                                                        "type",
                                                        "unknown type '"
                                                                + c.type
                                                                + "'; expected one of "
                                                                + FieldType.specNames()));
                if (declared != x.type()) {
                    throw fail(
                            entry,
                            "expr",
                            "\""
                                    + x.text()
                                    + "\" is "
                                    + x.type()
                                    + ", but its declared type is "
                                    + declared);
                }
            }
            addColumn(entry, "name", c.name);
            context.add(new ContextField(c.name, x));
        }
        return new Query(kind.name(), context, q.labelSet ? label(q, kind) : null);
    }

    private Label label(Query.Builder q, EventKind queryKind) {
        if (q.labelField == null) {
            throw fail("query", "label", "required: the label's field");
        }
        if (q.labelEvent == null || q.labelEvent.equals(queryKind.name())) {
            FieldType type = queryKind.fields().get(q.labelField);
            if (type == null) {
                throw fail(
                        "query",
                        "label",
                        notAField(
                                q.labelField,
                                "the query event '" + queryKind.name() + "'",
                                queryKind.fields()));
            }
            return new Label(queryKind.name(), q.labelField, type, true);
        }
        EventKind other = requireKind("query", "label", q.labelEvent);
        FieldType type = requireField("query", "label", q.labelField, other.name(), other.fields());
        if (other.idField().isEmpty()) {
            throw fail(
                    "query",
                    "label",
                    "event '"
                            + other.name()
                            + "' has no id field, and a label from another event kind is joined"
                            + " to the query event by id; declare events."
                            + other.name()
                            + ".id");
        }
        Source.Emit queryEmit = emitted.get(queryKind.name());
        Source.Emit labelEmit = emitted.get(other.name());
        if (queryEmit != null && labelEmit != null) {
            SpecExpression queryId = queryEmit.values().get(queryKind.idField().get());
            SpecExpression labelId = labelEmit.values().get(other.idField().get());
            if (!queryId.equals(labelId)) {
                throw fail(
                        "query",
                        "label",
                        "no '"
                                + other.name()
                                + "' has the id of the '"
                                + queryKind.name()
                                + "' from the same row: the source gives them ids \""
                                + labelId.text()
                                + "\" and \""
                                + queryId.text()
                                + "\"; a label is joined by id, so both must be the same value");
            }
        }
        return new Label(other.name(), q.labelField, type, false);
    }

    private void addColumn(String entry, String field, String column) {
        String earlier = columns.putIfAbsent(column, entry);
        if (earlier != null) {
            throw fail(entry, field, "output column '" + column + "' is already " + earlier);
        }
    }

    // ---- features

    private List<FeatureDef> validateFeatures(Query query) {
        if (spec.features.isEmpty()) {
            throw fail("features", null, "required: at least one feature");
        }
        EventKind queryKind = kinds.get(query.event());
        List<FeatureDef> features = new ArrayList<>();
        for (int i = 0; i < spec.features.size(); i++) {
            FeatureDef.Builder f = spec.features.get(i);
            String entry = "features[" + i + "]" + (f.name == null ? "" : " (" + f.name + ")");
            if (f.name == null || !IDENTIFIER.matcher(f.name).matches()) {
                throw fail(
                        entry,
                        "name",
                        f.name == null
                                ? "required: the feature's output column"
                                : "a feature name must be letters, digits and '_', not starting"
                                        + " with a digit, got '"
                                        + f.name
                                        + "'");
            }
            EventKind kind = requireKind(entry, "event", f.event);
            List<String> key = key(entry, f, kind, queryKind);
            AggregationKind aggregation = aggregation(entry, f.aggregation);
            ValueType valueType = value(entry, f, kind, aggregation);
            if (aggregation == AggregationKind.LAST && kind.idField().isEmpty()) {
                throw fail(
                        entry,
                        "aggregation",
                        "'last' gives ties at the same time to the greatest event id, but event '"
                                + kind.name()
                                + "' has no id field; declare events."
                                + kind.name()
                                + ".id");
            }
            Window window = window(entry, f);
            addColumn(entry, "name", f.name);
            features.add(
                    new FeatureDef(
                            f.name,
                            kind.name(),
                            key,
                            f.value,
                            window,
                            aggregation,
                            FieldType.of(aggregation.resultType(valueType))));
        }
        return features;
    }

    private List<String> key(
            String entry, FeatureDef.Builder f, EventKind kind, EventKind queryKind) {
        if (f.key == null || f.key.isEmpty()) {
            throw fail(
                    entry,
                    "key",
                    "required: at least one field of event '"
                            + kind.name()
                            + "' (fields: "
                            + String.join(", ", kind.fields().keySet())
                            + ")");
        }
        Set<String> seen = new HashSet<>();
        for (String k : f.key) {
            FieldType type = requireField(entry, "key", k, kind.name(), kind.fields());
            if (!seen.add(k)) {
                throw fail(entry, "key", "field '" + k + "' is listed twice");
            }
            if (type == FieldType.DOUBLE) {
                throw fail(
                        entry,
                        "key",
                        "field '"
                                + k
                                + "' is a double, and doubles make fragile keys (0.1 + 0.2 !="
                                + " 0.3); use a long or a string");
            }
            FieldType queryType = queryKind.fields().get(k);
            if (queryType == null) {
                throw fail(
                        entry,
                        "key",
                        "field '"
                                + k
                                + "' is not a field of the query event '"
                                + queryKind.name()
                                + "': a query matches events whose key fields equal its own"
                                + " fields of the same names (fields: "
                                + String.join(", ", queryKind.fields().keySet())
                                + ")");
            }
            if (queryType != type) {
                throw fail(
                        entry,
                        "key",
                        "field '"
                                + k
                                + "' is "
                                + type
                                + " in event '"
                                + kind.name()
                                + "' but "
                                + queryType
                                + " in the query event '"
                                + queryKind.name()
                                + "'; a key matches only values of one type");
            }
        }
        return f.key;
    }

    private AggregationKind aggregation(String entry, String name) {
        String valid =
                Arrays.stream(AggregationKind.values())
                        .map(AggregationKind::specName)
                        .collect(Collectors.joining(", "));
        if (name == null) {
            throw fail(entry, "aggregation", "required: one of " + valid);
        }
        for (AggregationKind k : AggregationKind.values()) {
            if (k.specName().equals(name)) {
                return k;
            }
        }
        throw fail(entry, "aggregation", "unknown aggregation '" + name + "'; valid: " + valid);
    }

    /** The value field's type, or LONG for count (whose result does not depend on it). */
    private ValueType value(
            String entry, FeatureDef.Builder f, EventKind kind, AggregationKind aggregation) {
        if (aggregation == AggregationKind.COUNT) {
            if (f.value != null) {
                throw fail(
                        entry,
                        "value",
                        "not allowed for aggregation 'count', which counts events (nulls"
                                + " included); remove it, or use count_distinct to count distinct"
                                + " values");
            }
            return ValueType.LONG;
        }
        if (f.value == null) {
            throw fail(entry, "value", "required for aggregation '" + aggregation.specName() + "'");
        }
        FieldType type = requireField(entry, "value", f.value, kind.name(), kind.fields());
        if (!aggregation.accepts(type.valueType())) {
            throw fail(
                    entry,
                    "value",
                    "aggregation '"
                            + aggregation.specName()
                            + "' does not apply to "
                            + type
                            + " field '"
                            + f.value
                            + "'"
                            + (aggregation == AggregationKind.SUM
                                            || aggregation == AggregationKind.MEAN
                                    ? "; it needs a long or double field"
                                    : ""));
        }
        return type.valueType();
    }

    private Window window(String entry, FeatureDef.Builder f) {
        if (f.window != null) {
            return f.window;
        }
        if (f.windowText == null) {
            throw fail(
                    entry,
                    "window",
                    "required: a duration like 30m, 6h or 7d, or {days: N, daily: true}");
        }
        try {
            return Window.parse(f.windowText);
        } catch (IllegalArgumentException e) {
            throw new SpecException(origin, entry, "window", e.getMessage(), e);
        }
    }

    private static String quote(String s) {
        return s == null ? "null" : "'" + s + "'";
    }
}
