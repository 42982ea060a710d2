package dev.parity.features.api;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * An ordered, named set of window and context features. The order is the column order of the
 * training file and the input order of every model trained on it; the {@link #fingerprint()}
 * changes whenever any definition or the order changes, which is how the scoring operator detects a
 * model trained on other features.
 */
public final class FeatureSet implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String name;
    private final List<FeatureDefinition> windowFeatures;
    private final List<ContextFeature> contextFeatures;
    private final String fingerprint;

    private FeatureSet(
            String name, List<FeatureDefinition> windowFeatures, List<ContextFeature> context) {
        this.name = name;
        this.windowFeatures = Collections.unmodifiableList(new ArrayList<>(windowFeatures));
        this.contextFeatures = Collections.unmodifiableList(new ArrayList<>(context));
        this.fingerprint = sha256(describe());
    }

    private FeatureSet(FeatureSet set, String fingerprint) {
        this.name = set.name;
        this.windowFeatures = set.windowFeatures;
        this.contextFeatures = set.contextFeatures;
        this.fingerprint = fingerprint;
    }

    /**
     * This set under the fingerprint of the feature spec it is identical to, so that models (and
     * the gate) treat the two as one feature set. Only for a set a test proves equal to the spec,
     * column by column and value by value ({@link FlightFeatures#standard()} and the flights spec).
     */
    public FeatureSet identifiedAs(String specName, String specFingerprint) {
        if (!name.equals(specName)) {
            throw new IllegalArgumentException(
                    "feature set '" + name + "' cannot be spec '" + specName + "'");
        }
        if (specFingerprint == null || !specFingerprint.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException(
                    "not a spec fingerprint (64 hex digits): '" + specFingerprint + "'");
        }
        return new FeatureSet(this, specFingerprint);
    }

    /**
     * Creates a feature set, rejecting an empty set and duplicate names.
     *
     * @throws IllegalArgumentException naming the offending feature
     */
    public static FeatureSet of(
            String name, List<FeatureDefinition> windowFeatures, List<ContextFeature> context) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("feature set 'name' is required");
        }
        if (windowFeatures == null || windowFeatures.isEmpty()) {
            throw new IllegalArgumentException(
                    "feature set '" + name + "': 'windowFeatures' must not be empty");
        }
        if (context == null) {
            throw new IllegalArgumentException(
                    "feature set '" + name + "': 'contextFeatures' is required (may be empty)");
        }
        Set<String> seen = new HashSet<>();
        for (ContextFeature c : context) {
            // a repeated context feature would repeat a column of the training file
            if (!seen.add(c.column())) {
                throw new IllegalArgumentException(
                        "feature set '"
                                + name
                                + "': duplicate context feature '"
                                + c.column()
                                + "'");
            }
        }
        for (FeatureDefinition f : windowFeatures) {
            if (!seen.add(f.name())) {
                throw new IllegalArgumentException(
                        "feature set '" + name + "': duplicate feature name '" + f.name() + "'");
            }
        }
        return new FeatureSet(name, windowFeatures, context);
    }

    public String name() {
        return name;
    }

    public List<FeatureDefinition> windowFeatures() {
        return windowFeatures;
    }

    public List<ContextFeature> contextFeatures() {
        return contextFeatures;
    }

    /** Position of a window feature in {@link #windowFeatures()}, or -1. */
    public int indexOf(String featureName) {
        for (int i = 0; i < windowFeatures.size(); i++) {
            if (windowFeatures.get(i).name().equals(featureName)) {
                return i;
            }
        }
        return -1;
    }

    /** Model input order: context features first, then window features. */
    public List<String> inputColumns() {
        List<String> cols = new ArrayList<>();
        for (ContextFeature c : contextFeatures) {
            cols.add(c.column());
        }
        for (FeatureDefinition f : windowFeatures) {
            cols.add(f.name());
        }
        return cols;
    }

    /** Hex sha256 of {@link #describe()}, or the spec's fingerprint ({@link #identifiedAs}). */
    public String fingerprint() {
        return fingerprint;
    }

    /** Canonical multi-line description: one line per feature, in order. */
    public String describe() {
        StringBuilder sb = new StringBuilder("feature_set ").append(name).append('\n');
        for (ContextFeature c : contextFeatures) {
            sb.append("context ").append(c.column()).append('\n');
        }
        for (FeatureDefinition f : windowFeatures) {
            sb.append("window ").append(f.describe()).append('\n');
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return "FeatureSet{" + name + ", " + inputColumns() + "}";
    }

    private static String sha256(String text) {
        try {
            byte[] digest =
                    MessageDigest.getInstance("SHA-256")
                            .digest(text.getBytes(StandardCharsets.UTF_8));
            StringBuilder hex = new StringBuilder();
            for (byte b : digest) {
                hex.append(String.format("%02x", b));
            }
            return hex.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java runtime", e);
        }
    }
}
