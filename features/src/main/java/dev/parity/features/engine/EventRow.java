package dev.parity.features.engine;

import java.util.Arrays;

/**
 * One event of a spec's event kind: the kind's index in the {@link SpecPlan}, its id and event time
 * (epoch millis), and the values of the kind's fields in declaration order ({@link String}, {@link
 * Long}, {@link Double}, {@link Boolean}, a timestamp as a {@link Long}; null for a missing value).
 *
 * <p>Typed by the plan, not by Java: the readers check every value against its field's type once,
 * where the event enters (see {@link RowDecoder}), so the operators can trust it. Crosses the
 * network with {@link EngineTypes#EVENT}, never Kryo.
 */
public final class EventRow {
    public final int kind;
    public final long id;
    public final long time;
    public final Object[] values;

    public EventRow(int kind, long id, long time, Object[] values) {
        this.kind = kind;
        this.id = id;
        this.time = time;
        this.values = values;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof EventRow)) {
            return false;
        }
        EventRow e = (EventRow) o;
        return kind == e.kind && id == e.id && time == e.time && Arrays.equals(values, e.values);
    }

    @Override
    public int hashCode() {
        return (Long.hashCode(id) * 31 + kind) * 31 + Long.hashCode(time);
    }

    @Override
    public String toString() {
        return "EventRow{kind="
                + kind
                + ", id="
                + id
                + ", time="
                + time
                + ", "
                + Arrays.toString(values)
                + "}";
    }
}
