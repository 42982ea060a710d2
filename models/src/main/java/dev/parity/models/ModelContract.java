package dev.parity.models;

import dev.parity.features.engine.SpecPlan;
import java.io.Serializable;
import java.util.List;

/**
 * What a job offers a model, and what {@link ModelGate} checks a manifest against: the feature
 * spec's name and fingerprint, and the input columns in tensor order. Made from a feature spec's
 * plan: {@link #of(SpecPlan)} for every model input, {@link #online(SpecPlan)} for the inputs an
 * online request can be served with.
 */
public final class ModelContract implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String name;
    private final String fingerprint;
    private final List<String> inputColumns;

    public ModelContract(String name, String fingerprint, List<String> inputColumns) {
        this.name = name;
        this.fingerprint = fingerprint;
        this.inputColumns = List.copyOf(inputColumns);
    }

    /** A spec's numeric output columns ({@link SpecPlan#modelInputs()}), named by the spec. */
    public static ModelContract of(SpecPlan plan) {
        return new ModelContract(plan.name(), plan.fingerprint(), plan.modelInputs());
    }

    /**
     * The online contract of a spec: its model inputs an online request can be served with ({@link
     * SpecPlan#onlineInputs()}: context and daily features).
     */
    public static ModelContract online(SpecPlan plan) {
        return new ModelContract(plan.name(), plan.fingerprint(), plan.onlineInputs());
    }

    /**
     * The spec contract a model with input columns {@code modelInputs} is meant for: the online one
     * when they are exactly the online inputs (and those differ from the full set), else the full
     * one, which the gate then checks as usual.
     */
    public static ModelContract forSpec(SpecPlan plan, List<String> modelInputs) {
        List<String> online = plan.onlineInputs();
        return online.equals(modelInputs) && !online.equals(plan.modelInputs())
                ? online(plan)
                : of(plan);
    }

    public String name() {
        return name;
    }

    public String fingerprint() {
        return fingerprint;
    }

    public List<String> inputColumns() {
        return inputColumns;
    }

    @Override
    public String toString() {
        return name + " (" + fingerprint + ") " + inputColumns;
    }
}
