package dev.parity.features.api;

/** The two kinds of event a flight produces (examples/flights/README.md). */
public enum EventType {
    /** At the scheduled departure instant; predictions are made here. */
    DEPARTURE,
    /** At the computed arrival instant; only from here on is the flight's delay known. */
    ARRIVAL
}
