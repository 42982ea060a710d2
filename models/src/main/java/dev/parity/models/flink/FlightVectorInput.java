package dev.parity.models.flink;

import dev.parity.features.api.ContextFeature;
import dev.parity.features.api.FeatureSet;
import dev.parity.features.core.FeatureVector;
import dev.parity.models.ModelContract;

/** The built-in flights feature set's {@link FeatureVector}s as model input. */
public final class FlightVectorInput implements ScoringInput<FeatureVector> {
    private static final long serialVersionUID = 1L;

    private final FeatureSet set;
    private final ModelContract contract;
    private final ContextFeature[] context;
    private final int windowCount;

    public FlightVectorInput(FeatureSet set) {
        this.set = set;
        this.contract = ModelContract.of(set);
        this.context = set.contextFeatures().toArray(new ContextFeature[0]);
        this.windowCount = set.windowFeatures().size();
    }

    public FeatureSet featureSet() {
        return set;
    }

    @Override
    public ModelContract contract() {
        return contract;
    }

    @Override
    public long id(FeatureVector v) {
        return v.id;
    }

    @Override
    public long time(FeatureVector v) {
        return v.depTime;
    }

    @Override
    public String fill(FeatureVector v, double[] defaults, float[] row) {
        if (v.values == null || v.values.length != windowCount) {
            return "wrong arity: expected "
                    + windowCount
                    + " window features, got "
                    + (v.values == null ? "none" : v.values.length);
        }
        for (int i = 0; i < context.length; i++) {
            double x;
            switch (context[i]) {
                case DISTANCE:
                    x = v.distance;
                    break;
                case DEP_HOUR:
                    x = v.depHour;
                    break;
                case DEP_DOW:
                    x = v.depDow;
                    break;
                default:
                    return "unknown context feature " + context[i];
            }
            row[i] = (float) x;
        }
        for (int j = 0; j < windowCount; j++) {
            double x = Double.isNaN(v.values[j]) ? defaults[context.length + j] : v.values[j];
            row[context.length + j] = (float) x;
        }
        return null;
    }
}
