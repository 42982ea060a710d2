package dev.parity.compression.methods;

/** A method that cannot run on this model or input (no trainer, no labels, no layer to rewrite). */
public class MethodSkippedException extends Exception {
    private static final long serialVersionUID = 1L;

    public MethodSkippedException(String reason) {
        super(reason);
    }
}
