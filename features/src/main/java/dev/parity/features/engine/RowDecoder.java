package dev.parity.features.engine;

import dev.parity.features.spec.FieldType;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns one input row, already typed field by field ({@link FieldValues}), into the events it
 * stands for: the row itself for a file of one event kind, or the events the spec's {@code source}
 * emits from it. Shared by every reader, so a row means the same from a file and from Kafka.
 */
public final class RowDecoder implements Serializable {
    private static final long serialVersionUID = 1L;

    private final SpecPlan plan;
    private final int kind; // -1: source rows
    private final String[] fields;
    private final FieldType[] types;
    private final boolean wholeRows;

    private RowDecoder(SpecPlan plan, int kind) {
        this(plan, kind, false);
    }

    private RowDecoder(SpecPlan plan, int kind, boolean wholeRows) {
        this.plan = plan;
        this.kind = kind;
        this.wholeRows = wholeRows;
        if (kind < 0) {
            this.fields = plan.sourceFields();
            this.types = plan.sourceTypes();
        } else {
            SpecPlan.Kind k = plan.kind(kind);
            this.fields = new String[k.size()];
            this.types = new FieldType[k.size()];
            for (int i = 0; i < k.size(); i++) {
                fields[i] = k.field(i);
                types[i] = k.type(i);
            }
        }
    }

    /** Rows of the spec's {@code source}, each emitting the events the spec lists. */
    public static RowDecoder forSource(SpecPlan plan) {
        if (!plan.hasSource()) {
            throw new IllegalArgumentException(
                    "spec " + plan.name() + " has no source: name the event kind of the file");
        }
        return new RowDecoder(plan, -1);
    }

    /** Rows that are events of {@code kind}. */
    public static RowDecoder forKind(SpecPlan plan, String kind) {
        return new RowDecoder(plan, plan.kind(kind).index());
    }

    /**
     * The decoder for a file given as {@code [kind=]path}: the spec's source rows when it has a
     * source and no kind is named, the one kind of a single-kind spec, else the named kind.
     */
    public static RowDecoder forInput(SpecPlan plan, String kindOrNull) {
        if (kindOrNull != null) {
            return forKind(plan, kindOrNull);
        }
        if (plan.hasSource()) {
            return forSource(plan);
        }
        if (plan.kinds().size() == 1) {
            return new RowDecoder(plan, 0);
        }
        List<String> names = new ArrayList<>();
        plan.kinds().forEach(k -> names.add(k.name()));
        throw new IllegalArgumentException(
                "spec "
                        + plan.name()
                        + " has several event kinds ("
                        + String.join(", ", names)
                        + "): name each file's kind, e.g. --events "
                        + plan.queryKind().name()
                        + "=FILE");
    }

    /**
     * This decoder, accepting and rejecting exactly the same rows, but giving each accepted row
     * back whole: one {@link EventRow} of kind -1 whose values are the typed row ({@link #fields()}
     * order) and whose time is that of the row's earliest event. For tools that copy rows, such as
     * {@code parity sample}; not for the feature pipeline.
     */
    public RowDecoder wholeRows() {
        return new RowDecoder(plan, kind, true);
    }

    public SpecPlan plan() {
        return plan;
    }

    /** What a row of this input is, for messages: {@code source rows} or the kind's name. */
    public String describe() {
        return kind < 0 ? "source rows" : plan.kind(kind).name() + " events";
    }

    /** The row's field names, in the order {@link #decode} takes values. */
    public String[] fields() {
        return fields.clone();
    }

    public FieldType[] types() {
        return types.clone();
    }

    public int width() {
        return fields.length;
    }

    public FieldType type(int field) {
        return types[field];
    }

    public String field(int i) {
        return fields[i];
    }

    /**
     * Whether field {@code i} is the id of the events the rows become (for source rows: a long
     * field that an emitted kind takes as its id unchanged).
     */
    public boolean isIdField(int i) {
        if (types[i] != FieldType.LONG) {
            return false;
        }
        if (kind >= 0) {
            return plan.kind(kind).idField() == i;
        }
        for (SpecPlan.Emit e : plan.emits()) {
            if (e.idSource() == i) {
                return true;
            }
        }
        return false;
    }

    /**
     * The events of one row; values in {@link #fields()} order, typed.
     *
     * @throws IllegalArgumentException with the reason the row is rejected
     */
    public EventRow[] decode(Object[] row) {
        EventRow[] events = events(row);
        if (!wholeRows) {
            return events;
        }
        long time = Long.MAX_VALUE;
        for (EventRow e : events) {
            time = Math.min(time, e.time);
        }
        return new EventRow[] {new EventRow(-1, 0, time, row)};
    }

    private EventRow[] events(Object[] row) {
        if (kind >= 0) {
            return new EventRow[] {event(plan.kind(kind), row)};
        }
        String broken = plan.sourceRules().violation(row);
        if (broken != null) {
            throw new IllegalArgumentException(broken);
        }
        List<SpecPlan.Emit> emits = plan.emits();
        EventRow[] events = new EventRow[emits.size()];
        for (int i = 0; i < events.length; i++) {
            SpecPlan.Emit emit = emits.get(i);
            Object[] values;
            try {
                values = emit.values(row);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "cannot make its " + emit.kind().name() + " event: " + e.getMessage(), e);
            }
            events[i] = event(emit.kind(), values);
        }
        return events;
    }

    private static EventRow event(SpecPlan.Kind k, Object[] values) {
        String broken = k.rules().violation(values);
        if (broken != null) {
            throw new IllegalArgumentException(broken);
        }
        Object time = values[k.timeField()];
        if (time == null) {
            throw new IllegalArgumentException(
                    k.name() + " event without a time ('" + k.field(k.timeField()) + "' is empty)");
        }
        long id = 0;
        if (k.idField() >= 0) {
            Object v = values[k.idField()];
            if (v == null) {
                throw new IllegalArgumentException(
                        k.name()
                                + " event without an id ('"
                                + k.field(k.idField())
                                + "' is empty)");
            }
            id = (Long) v;
        }
        return new EventRow(k.index(), id, (Long) time, values);
    }
}
