package dev.parity.models;

/** A model the gate refused; the message names the file and the problem. */
public class ModelRejectedException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String location;
    private final String problem;

    public ModelRejectedException(String location, String problem) {
        this(location, problem, null);
    }

    public ModelRejectedException(String location, String problem, Throwable cause) {
        super("model rejected: " + location + ": " + problem, cause);
        this.location = location;
        this.problem = problem;
    }

    /** The file that was checked. */
    public String location() {
        return location;
    }

    /** What is wrong with it. */
    public String problem() {
        return problem;
    }
}
