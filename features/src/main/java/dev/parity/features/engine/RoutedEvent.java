package dev.parity.features.engine;

/**
 * An event routed to one feature group: it adds to the group's windows ({@code contributes}), asks
 * for the group's values at its time ({@code query}), or both. {@code key} is the group's operator
 * key ({@link SpecPlan.Group#keyOf}).
 */
public final class RoutedEvent {
    public final String key;
    public final int group;
    public final boolean contributes;
    public final boolean query;

    /**
     * For a late event, the first query time not yet answered when it arrived (the router's
     * watermark plus one): its changes take effect from there. {@code Long.MIN_VALUE} on time.
     */
    public final long notBefore;

    public final EventRow event;

    public RoutedEvent(
            String key,
            int group,
            boolean contributes,
            boolean query,
            long notBefore,
            EventRow event) {
        this.key = key;
        this.group = group;
        this.contributes = contributes;
        this.query = query;
        this.notBefore = notBefore;
        this.event = event;
    }
}
