package dev.parity.features.engine;

import dev.parity.features.agg.AggregationKind;
import dev.parity.features.agg.Aggregator;
import dev.parity.features.spec.ContextField;
import dev.parity.features.spec.EventKind;
import dev.parity.features.spec.FeatureDef;
import dev.parity.features.spec.FeatureSpec;
import dev.parity.features.spec.FieldType;
import dev.parity.features.spec.Label;
import dev.parity.features.spec.RowRules;
import dev.parity.features.spec.Source;
import dev.parity.features.spec.SpecExpressions;
import dev.parity.features.spec.Window;
import java.io.ObjectStreamException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A feature spec compiled once for the engine: event kinds with field positions, the feature groups
 * (features that share a key, evaluated by one keyed operator), how to read each key, the
 * expressions, and the layout of the output row. Every operator, reader and writer of a job works
 * from the same plan, so group indices, slot positions and entity keys are agreed by construction.
 *
 * <p>Serializable as its spec: a plan shipped to a task manager is compiled again there from the
 * spec (CEL programs are not serializable, and compiling takes milliseconds).
 *
 * <pre>{@code
 * SpecPlan plan = SpecPlan.of(FeatureSpec.load(Path.of("examples/flights/flights.yaml")));
 * plan.groups().size();      // 3 for flights: origin, dest, (origin, dest)
 * plan.header();             // id, dep_time, origin, ..., delay
 * }</pre>
 */
public final class SpecPlan implements Serializable {
    private static final long serialVersionUID = 1L;

    private final transient FeatureSpec spec;
    private final transient List<Kind> kinds;
    private final transient Map<String, Kind> kindsByName;
    private final transient List<Group> groups;
    private final transient List<Slot> slots;
    private final transient Kind queryKind;
    private final transient Column[] context;
    private final transient Kind labelKind;
    private final transient int labelField;
    private final transient FieldType labelType;
    private final transient List<Emit> emits;
    private final transient Rules sourceRules;
    private final transient String[] sourceFields;
    private final transient FieldType[] sourceTypes;

    private SpecPlan(FeatureSpec spec) {
        this.spec = spec;
        List<Kind> ks = new ArrayList<>();
        Map<String, Kind> byName = new LinkedHashMap<>();
        for (EventKind k : spec.events()) {
            Kind kind = new Kind(ks.size(), k);
            ks.add(kind);
            byName.put(k.name(), kind);
        }
        this.kinds = Collections.unmodifiableList(ks);
        this.kindsByName = Collections.unmodifiableMap(byName);
        this.queryKind = byName.get(spec.query().event());

        List<Slot> allSlots = new ArrayList<>();
        Map<List<String>, List<Slot>> byKey = new LinkedHashMap<>();
        List<FeatureDef> defs = spec.features();
        for (int i = 0; i < defs.size(); i++) {
            FeatureDef f = defs.get(i);
            Kind kind = byName.get(f.event());
            Slot slot = new Slot(i, f, kind);
            allSlots.add(slot);
            byKey.computeIfAbsent(f.key(), k -> new ArrayList<>()).add(slot);
        }
        this.slots = Collections.unmodifiableList(allSlots);
        List<Group> gs = new ArrayList<>();
        for (Map.Entry<List<String>, List<Slot>> e : byKey.entrySet()) {
            gs.add(new Group(gs.size(), e.getKey(), e.getValue(), ks));
        }
        this.groups = Collections.unmodifiableList(gs);

        List<ContextField> cs = spec.query().context();
        SpecExpressions queryEnv = SpecExpressions.over(queryKind.event.fields());
        this.context = new Column[cs.size()];
        for (int i = 0; i < cs.size(); i++) {
            ContextField c = cs.get(i);
            context[i] = new Column(c.name(), c.type(), queryEnv, c.expression().text(), queryKind);
        }

        Label label = spec.query().label().orElse(null);
        if (label == null) {
            this.labelKind = null;
            this.labelField = -1;
            this.labelType = null;
        } else {
            this.labelKind = byName.get(label.event());
            this.labelField = labelKind.fieldIndex(label.field());
            this.labelType = label.type();
        }

        Source source = spec.source().orElse(null);
        if (source == null) {
            this.sourceRules = null;
            this.emits = List.of();
            this.sourceFields = null;
            this.sourceTypes = null;
        } else {
            this.sourceFields = source.fields().keySet().toArray(new String[0]);
            this.sourceTypes = source.fields().values().toArray(new FieldType[0]);
            SpecExpressions env = SpecExpressions.over(source.fields());
            List<Emit> es = new ArrayList<>();
            for (Source.Emit e : source.emits()) {
                es.add(new Emit(byName.get(e.event()), e, env));
            }
            this.emits = Collections.unmodifiableList(es);
            this.sourceRules = new Rules(source.rules(), source.fields());
        }
    }

    /** Compiles {@code spec}; a valid spec always compiles. */
    public static SpecPlan of(FeatureSpec spec) {
        return new SpecPlan(spec);
    }

    private Object writeReplace() throws ObjectStreamException {
        return new Shipped(spec);
    }

    /** What a plan is serialized as: its spec. */
    private static final class Shipped implements Serializable {
        private static final long serialVersionUID = 1L;
        private final FeatureSpec spec;

        Shipped(FeatureSpec spec) {
            this.spec = spec;
        }

        private Object readResolve() throws ObjectStreamException {
            return SpecPlan.of(spec);
        }
    }

    public FeatureSpec spec() {
        return spec;
    }

    public String name() {
        return spec.name();
    }

    public String fingerprint() {
        return spec.fingerprint();
    }

    public List<Kind> kinds() {
        return kinds;
    }

    public Kind kind(int index) {
        return kinds.get(index);
    }

    /** The kind named {@code name}, or an exception naming the spec's kinds. */
    public Kind kind(String name) {
        Kind k = kindsByName.get(name);
        if (k == null) {
            throw new IllegalArgumentException(
                    "spec "
                            + spec.name()
                            + " has no event kind '"
                            + name
                            + "' (it has "
                            + String.join(", ", kindsByName.keySet())
                            + ")");
        }
        return k;
    }

    public Kind queryKind() {
        return queryKind;
    }

    public List<Group> groups() {
        return groups;
    }

    /** The window features in spec order. */
    public List<Slot> features() {
        return slots;
    }

    /** The query's context columns, in spec order. */
    public Column[] context() {
        return context.clone();
    }

    public boolean hasLabel() {
        return labelKind != null;
    }

    /** The label's output column (the training target), if the spec has a label. */
    public java.util.Optional<String> labelColumn() {
        return spec.query().label().map(Label::name);
    }

    /** The kind the label comes from: the query kind, or one joined by id. */
    public Kind labelKind() {
        return labelKind;
    }

    public int labelField() {
        return labelField;
    }

    public FieldType labelType() {
        return labelType;
    }

    /** The label is read from an event of another kind, joined to the query by id. */
    public boolean labelJoined() {
        return labelKind != null && labelKind != queryKind;
    }

    /** The events a source row becomes; empty when the spec has no {@code source}. */
    public List<Emit> emits() {
        return emits;
    }

    /** What a source row must satisfy before it emits its events; null without a source. */
    public Rules sourceRules() {
        return sourceRules;
    }

    public boolean hasSource() {
        return sourceFields != null;
    }

    /** The source row's field names (a row-shaped input), else null. */
    public String[] sourceFields() {
        return sourceFields == null ? null : sourceFields.clone();
    }

    public FieldType[] sourceTypes() {
        return sourceTypes == null ? null : sourceTypes.clone();
    }

    /** The output columns: id, context, features, label. */
    public List<String> header() {
        return spec.outputHeader();
    }

    /**
     * The types of the output columns after the id, in {@link #header()} order: context, features
     * (their result types), label.
     */
    public FieldType[] columnTypes() {
        FieldType[] types = new FieldType[context.length + slots.size() + (hasLabel() ? 1 : 0)];
        for (int i = 0; i < context.length; i++) {
            types[i] = context[i].type;
        }
        for (int i = 0; i < slots.size(); i++) {
            types[context.length + i] = slots.get(i).def.resultType();
        }
        if (hasLabel()) {
            types[types.length - 1] = labelType;
        }
        return types;
    }

    /**
     * The columns a model reads: the context columns and features with a number (or a boolean, as 0
     * or 1) for a value, in output order. Strings and timestamps are not model inputs.
     */
    public List<String> modelInputs() {
        List<String> names = new ArrayList<>();
        List<String> header = header();
        for (int p : modelInputPositions()) {
            names.add(header.get(p + 1));
        }
        return names;
    }

    /** The positions of {@link #modelInputs()} in a {@link FeatureRow}'s values. */
    public int[] modelInputPositions() {
        FieldType[] types = columnTypes();
        int last = context.length + slots.size(); // the label is not an input
        return java.util.stream.IntStream.range(0, last)
                .filter(
                        i ->
                                types[i] == FieldType.LONG
                                        || types[i] == FieldType.DOUBLE
                                        || types[i] == FieldType.BOOLEAN)
                .toArray();
    }

    /**
     * The model inputs an online request can be served with ({@link #modelInputs()} restricted to
     * context columns and daily-window features): a daily feature changes only at UTC midnight, so
     * its value is the day's snapshot; a sliding one would need the events of the last minutes.
     */
    public List<String> onlineInputs() {
        List<String> names = new ArrayList<>();
        List<String> header = header();
        for (int p : modelInputPositions()) {
            if (p < context.length || slots.get(p - context.length).window().isDaily()) {
                names.add(header.get(p + 1));
            }
        }
        return names;
    }

    /** The positions of {@code columns} (output column names) in a {@link FeatureRow}'s values. */
    public int[] positionsOf(List<String> columns) {
        List<String> header = header();
        int[] positions = new int[columns.size()];
        for (int i = 0; i < positions.length; i++) {
            int at = header.indexOf(columns.get(i));
            if (at < 1) {
                throw new IllegalArgumentException(
                        "spec " + spec.name() + " has no output column '" + columns.get(i) + "'");
            }
            positions[i] = at - 1;
        }
        return positions;
    }

    /** The query context's first timestamp column, what training splits rows by by default. */
    public java.util.Optional<String> firstTimestampColumn() {
        for (Column c : context) {
            if (c.type == FieldType.TIMESTAMP) {
                return java.util.Optional.of(c.name);
            }
        }
        return java.util.Optional.empty();
    }

    /** Number of output values after the id. */
    public int width() {
        return context.length + slots.size() + (hasLabel() ? 1 : 0);
    }

    @Override
    public String toString() {
        return "SpecPlan{"
                + spec.name()
                + ", "
                + kinds.size()
                + " kinds, "
                + groups.size()
                + " groups, "
                + slots.size()
                + " features}";
    }

    /**
     * A row's {@code required} fields, string length limits and {@code checks} ({@link RowRules}),
     * compiled over its fields; {@link #violation} says why a row breaks them.
     */
    public static final class Rules {
        private final int[] required;
        private final String[] requiredNames;
        private final SpecExpressions.Compiled[] checks;
        private final String[] reasons;
        private final int[] strings; // positions of the string fields
        private final int[] maxLength; // their limits, in code points
        private final String[] stringNames;
        private final Map<String, Integer> positions = new LinkedHashMap<>();

        Rules(RowRules rules, Map<String, FieldType> fields) {
            int i = 0;
            List<String> names = new ArrayList<>();
            for (Map.Entry<String, FieldType> f : fields.entrySet()) {
                if (f.getValue() == FieldType.STRING) {
                    names.add(f.getKey());
                }
                positions.put(f.getKey(), i++);
            }
            this.stringNames = names.toArray(new String[0]);
            this.strings = new int[stringNames.length];
            this.maxLength = new int[stringNames.length];
            for (int s = 0; s < strings.length; s++) {
                strings[s] = positions.get(stringNames[s]);
                maxLength[s] = rules.maxLength(stringNames[s]);
            }
            this.required = new int[rules.required().size()];
            this.requiredNames = rules.required().toArray(new String[0]);
            for (int r = 0; r < required.length; r++) {
                required[r] = positions.get(requiredNames[r]);
            }
            SpecExpressions env = SpecExpressions.over(fields);
            this.checks = new SpecExpressions.Compiled[rules.checks().size()];
            this.reasons = new String[checks.length];
            for (int c = 0; c < checks.length; c++) {
                checks[c] = env.compile(rules.checks().get(c).expression().text());
                reasons[c] = rules.checks().get(c).reason();
            }
        }

        /**
         * Why {@code values} (in field order, typed) break the rules, or null: {@code missing field
         * 'f'} for a null required field, else {@code field 'f' is longer than N characters} for a
         * string over its limit, else the first failing check's reason with the values it read
         * ({@code field 'distance' must not be negative: distance = -100}). A check reading a null
         * field does not apply.
         */
        public String violation(Object[] values) {
            for (int r = 0; r < required.length; r++) {
                if (values[required[r]] == null) {
                    return "missing field '" + requiredNames[r] + "'";
                }
            }
            for (int s = 0; s < strings.length; s++) {
                String v = (String) values[strings[s]];
                // length() bounds the code points from above: count them only past the limit
                if (v != null
                        && v.length() > maxLength[s]
                        && v.codePointCount(0, v.length()) > maxLength[s]) {
                    return "field '"
                            + stringNames[s]
                            + "' is longer than "
                            + maxLength[s]
                            + " characters ("
                            + v.codePointCount(0, v.length())
                            + ")";
                }
            }
            for (int c = 0; c < checks.length; c++) {
                Object ok;
                try {
                    ok = checks[c].evaluate(f -> values[positions.get(f)]);
                } catch (IllegalArgumentException e) {
                    return reasons[c] + ": " + e.getMessage();
                }
                if (Boolean.FALSE.equals(ok)) {
                    StringBuilder sb = new StringBuilder(reasons[c]).append(": ");
                    List<String> inputs = checks[c].inputs();
                    for (int i = 0; i < inputs.size(); i++) {
                        sb.append(i == 0 ? "" : ", ")
                                .append(inputs.get(i))
                                .append(" = ")
                                .append(values[positions.get(inputs.get(i))]);
                    }
                    return sb.toString();
                }
            }
            return null;
        }
    }

    public static final class Kind {
        private final int index;
        private final EventKind event;
        private final String[] fields;
        private final FieldType[] types;
        private final Map<String, Integer> positions = new LinkedHashMap<>();
        private final int idField;
        private final int timeField;
        private final Rules rules;

        Kind(int index, EventKind event) {
            this.index = index;
            this.event = event;
            this.fields = event.fields().keySet().toArray(new String[0]);
            this.types = event.fields().values().toArray(new FieldType[0]);
            for (int i = 0; i < fields.length; i++) {
                positions.put(fields[i], i);
            }
            this.idField = event.idField().map(positions::get).orElse(-1);
            this.timeField = positions.get(event.timeField());
            this.rules = new Rules(event.rules(), event.fields());
        }

        /** What an event of this kind must satisfy beyond its types. */
        public Rules rules() {
            return rules;
        }

        public int index() {
            return index;
        }

        public String name() {
            return event.name();
        }

        public int size() {
            return fields.length;
        }

        public String field(int i) {
            return fields[i];
        }

        public FieldType type(int i) {
            return types[i];
        }

        /** The position of {@code field}, or -1. */
        public int fieldIndex(String field) {
            Integer p = positions.get(field);
            return p == null ? -1 : p;
        }

        /** Position of the id field, or -1 when the kind has none (ids are then 0). */
        public int idField() {
            return idField;
        }

        public int timeField() {
            return timeField;
        }

        @Override
        public String toString() {
            return event.name();
        }
    }

    /**
     * The features that share one key (a list of field names), evaluated together by one keyed
     * operator: slot {@code i} of the group is {@link #slot(int)}.
     */
    public static final class Group {
        private final int index;
        private final List<String> key;
        private final Slot[] slots;
        private final int[][] keyFields; // [kind][key position] -> field index, or null
        private final boolean[] consumes; // [kind]

        Group(int index, List<String> key, List<Slot> slots, List<Kind> kinds) {
            this.index = index;
            this.key = List.copyOf(key);
            this.slots = slots.toArray(new Slot[0]);
            this.keyFields = new int[kinds.size()][];
            this.consumes = new boolean[kinds.size()];
            for (Kind k : kinds) {
                int[] pos = new int[key.size()];
                boolean all = true;
                for (int i = 0; i < key.size(); i++) {
                    pos[i] = k.fieldIndex(key.get(i));
                    all &= pos[i] >= 0;
                }
                keyFields[k.index] = all ? pos : null;
            }
            for (int s = 0; s < this.slots.length; s++) {
                this.slots[s].group = index;
                this.slots[s].groupSlot = s;
                consumes[this.slots[s].kind.index] = true;
            }
        }

        public int index() {
            return index;
        }

        /** The key's field names. */
        public List<String> key() {
            return key;
        }

        public int size() {
            return slots.length;
        }

        public Slot slot(int i) {
            return slots[i];
        }

        /** Whether a feature of this group aggregates events of {@code kind}. */
        public boolean consumes(int kind) {
            return consumes[kind];
        }

        /**
         * The operator key of {@code e} in this group ({@code <group>|<encoded values>}, one-to-one
         * with the key values), or null when the kind lacks a key field or a key value is null:
         * such an event is never aggregated, and such a query gets the empty-window values.
         */
        public String keyOf(EventRow e) {
            int[] pos = keyFields[e.kind];
            if (pos == null) {
                return null;
            }
            StringBuilder sb = new StringBuilder(24).append(index).append('|');
            for (int p : pos) {
                Object v = e.values[p];
                if (v == null) {
                    return null;
                }
                KeyCodec.append(sb, v);
            }
            return sb.toString();
        }

        /**
         * The entity of {@code e} in this group as the snapshot table names it: its key values as a
         * JSON array ({@code ["JFK"]}, {@code ["JFK","LAX"]}, numbers unquoted), one-to-one with
         * the values; null when the kind lacks a key field or a key value is null.
         */
        public String entityOf(EventRow e) {
            int[] pos = keyFields[e.kind];
            if (pos == null) {
                return null;
            }
            StringBuilder sb = new StringBuilder(24).append('[');
            for (int i = 0; i < pos.length; i++) {
                Object v = e.values[pos[i]];
                if (v == null) {
                    return null;
                }
                sb.append(i == 0 ? "" : ",");
                if (v instanceof String) {
                    sb.append('"');
                    com.fasterxml.jackson.core.io.JsonStringEncoder.getInstance()
                            .quoteAsString((String) v, sb);
                    sb.append('"');
                } else {
                    sb.append(v);
                }
            }
            return sb.append(']').toString();
        }

        /** The key values of {@code e} as people read them: the values joined by {@code |}. */
        public String describeKey(EventRow e) {
            int[] pos = keyFields[e.kind];
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < pos.length; i++) {
                sb.append(i == 0 ? "" : "|").append(e.values[pos[i]]);
            }
            return sb.toString();
        }

        @Override
        public String toString() {
            return "Group{" + index + ", key " + key + ", " + slots.length + " features}";
        }
    }

    /** One window feature: its position among the features, its group slot and aggregator. */
    public static final class Slot {
        private final int feature;
        private final FeatureDef def;
        private final Kind kind;
        private final int valueField;
        private final Window window;
        private final Aggregator<?> aggregator;
        private int group;
        private int groupSlot;

        Slot(int feature, FeatureDef def, Kind kind) {
            this.feature = feature;
            this.def = def;
            this.kind = kind;
            this.valueField = def.value().map(kind::fieldIndex).orElse(-1);
            this.window = def.window();
            this.aggregator =
                    Aggregator.of(
                            def.aggregation(),
                            valueField < 0 ? null : kind.type(valueField).valueType());
        }

        /** Position among the spec's features. */
        public int feature() {
            return feature;
        }

        public String name() {
            return def.name();
        }

        public FeatureDef def() {
            return def;
        }

        public int kind() {
            return kind.index;
        }

        /** The value field's position in the kind, or -1 ({@code count}). */
        public int valueField() {
            return valueField;
        }

        public Window window() {
            return window;
        }

        public Aggregator<?> aggregator() {
            return aggregator;
        }

        public AggregationKind aggregation() {
            return def.aggregation();
        }

        /** The value over an empty window: 0 for the counts, null for the rest. */
        @SuppressWarnings({"unchecked", "rawtypes"})
        public Object emptyValue() {
            Aggregator agg = aggregator;
            return agg.result(agg.empty());
        }

        public int group() {
            return group;
        }

        public int groupSlot() {
            return groupSlot;
        }
    }

    /** A context column: a field of the query event or an expression over its fields. */
    public static final class Column {
        private final String name;
        private final FieldType type;
        private final int field;
        private final SpecExpressions.Compiled expression;
        private final Kind kind;

        Column(String name, FieldType type, SpecExpressions env, String expr, Kind kind) {
            this.name = name;
            this.type = type;
            this.kind = kind;
            SpecExpressions.Compiled c = env.compile(expr);
            this.field = c.fieldReference().map(kind::fieldIndex).orElse(-1);
            this.expression = field >= 0 ? null : c;
        }

        public String name() {
            return name;
        }

        public FieldType type() {
            return type;
        }

        /** The column's value for the query event {@code e}. */
        public Object valueOf(EventRow e) {
            if (field >= 0) {
                return e.values[field];
            }
            return expression.evaluate(f -> e.values[kind.fieldIndex(f)]);
        }
    }

    /** One event a source row becomes: its kind and one compiled expression per kind field. */
    public static final class Emit {
        private final Kind kind;
        private final SpecExpressions.Compiled[] values;
        private final int[] direct; // source field position when the expression is a field name
        private final Map<String, Integer> positions = new LinkedHashMap<>();

        Emit(Kind kind, Source.Emit emit, SpecExpressions env) {
            this.kind = kind;
            this.values = new SpecExpressions.Compiled[kind.size()];
            this.direct = new int[kind.size()];
            List<String> sourceFields = new ArrayList<>(env.variables().keySet());
            for (int i = 0; i < sourceFields.size(); i++) {
                positions.put(sourceFields.get(i), i);
            }
            for (int i = 0; i < kind.size(); i++) {
                SpecExpressions.Compiled c = env.compile(emit.values().get(kind.field(i)).text());
                values[i] = c;
                direct[i] = c.fieldReference().map(sourceFields::indexOf).orElse(-1);
            }
        }

        public Kind kind() {
            return kind;
        }

        /** The source field the event's id is copied from unchanged, or -1. */
        public int idSource() {
            return kind.idField() < 0 ? -1 : direct[kind.idField()];
        }

        /**
         * The event's field values from a source row's values (in source field order).
         *
         * @throws IllegalArgumentException when an expression fails (overflow, a bad value)
         */
        public Object[] values(Object[] row) {
            Object[] out = new Object[values.length];
            for (int i = 0; i < values.length; i++) {
                out[i] =
                        direct[i] >= 0
                                ? row[direct[i]]
                                : values[i].evaluate(f -> row[positions.get(f)]);
            }
            return out;
        }
    }
}
