package dev.parity.features.flink;

import dev.parity.features.events.FlightEvent;

/**
 * An event routed to one feature group: it adds to the group's windows ({@code contributes}), asks
 * for the group's values at its time ({@code query}), or both. A Flink POJO.
 */
public class GroupInput {
    /** {@code <group index>|<key value>}, see {@link GroupKeys}. */
    public String key;

    public int group;
    public boolean contributes;
    public boolean query;
    public FlightEvent event;

    /**
     * For a late event, the first query time not yet answered when it arrived (the router's
     * watermark plus one): its changes take effect from there. {@code Long.MIN_VALUE} for an event
     * on time.
     */
    public long notBefore = Long.MIN_VALUE;

    public GroupInput() {}

    public GroupInput(
            String key, int group, boolean contributes, boolean query, FlightEvent event) {
        this.key = key;
        this.group = group;
        this.contributes = contributes;
        this.query = query;
        this.event = event;
    }
}
