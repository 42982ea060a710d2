package dev.parity.features.spec;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A validated expression of a spec, as data: its text, its result type and the fields it reads. The
 * model keeps no compiled form, so a spec stays serializable; the engine compiles the text with
 * {@link SpecExpressions} over the fields it was validated against.
 */
public final class SpecExpression implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String text;
    private final String canonical;
    private final FieldType type;
    private final List<String> inputs;
    private final String fieldReference;

    SpecExpression(SpecExpressions.Compiled compiled) {
        this.text = compiled.text();
        this.canonical = compiled.canonical();
        this.type = compiled.type();
        this.inputs = Collections.unmodifiableList(new ArrayList<>(compiled.inputs()));
        this.fieldReference = compiled.fieldReference().orElse(null);
    }

    /** The expression as the spec writes it. */
    public String text() {
        return text;
    }

    /** Re-printed from the syntax tree; what the fingerprint hashes. */
    public String canonical() {
        return canonical;
    }

    /** The type of its value. */
    public FieldType type() {
        return type;
    }

    /** The fields it reads; a null in any of them makes the value null. */
    public List<String> inputs() {
        return inputs;
    }

    /** The field, when the expression is just a field name (no evaluation needed). */
    public Optional<String> fieldReference() {
        return Optional.ofNullable(fieldReference);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SpecExpression
                && ((SpecExpression) o).canonical.equals(canonical)
                && ((SpecExpression) o).type == type;
    }

    @Override
    public int hashCode() {
        return Objects.hash(canonical, type);
    }

    @Override
    public String toString() {
        return text;
    }
}
