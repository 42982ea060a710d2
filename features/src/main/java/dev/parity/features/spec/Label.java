package dev.parity.features.spec;

import java.io.Serializable;

/**
 * The training target: a field of the query event ({@code label: fraud}), or a field of another
 * kind's event with the same id ({@code label: {event: arrival, field: delay}}): in flights the
 * delay is known only from the arrival on, so it is joined to the departure by the flight's id. The
 * output column is named after the field.
 */
public final class Label implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String event;
    private final String field;
    private final FieldType type;
    private final boolean fromQueryEvent;

    Label(String event, String field, FieldType type, boolean fromQueryEvent) {
        this.event = event;
        this.field = field;
        this.type = type;
        this.fromQueryEvent = fromQueryEvent;
    }

    /** The output column: the field's name. */
    public String name() {
        return field;
    }

    /** The kind the label is read from. */
    public String event() {
        return event;
    }

    public String field() {
        return field;
    }

    public FieldType type() {
        return type;
    }

    /** False when the label comes from another kind's event with the query event's id. */
    public boolean fromQueryEvent() {
        return fromQueryEvent;
    }

    @Override
    public String toString() {
        return fromQueryEvent ? field : event + "." + field + " (by id)";
    }
}
