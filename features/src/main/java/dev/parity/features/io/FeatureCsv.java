package dev.parity.features.io;

import dev.parity.features.api.Aggregation;
import dev.parity.features.api.ContextFeature;
import dev.parity.features.api.FeatureDefinition;
import dev.parity.features.api.FeatureSet;
import dev.parity.features.core.FeatureVector;
import java.io.Serializable;
import java.time.Instant;
import java.util.List;

/**
 * The training file format of examples/flights/README.md: one row per flight, null as an empty
 * field, counts as integers, means in {@link Double#toString(double)} form, {@code dep_time} as
 * ISO-8601 UTC.
 */
public final class FeatureCsv implements Serializable {
    private static final long serialVersionUID = 1L;

    private final FeatureSet set;
    private final boolean[] isCount;

    public FeatureCsv(FeatureSet set) {
        this.set = set;
        List<FeatureDefinition> defs = set.windowFeatures();
        this.isCount = new boolean[defs.size()];
        for (int i = 0; i < defs.size(); i++) {
            isCount[i] = defs.get(i).aggregation() == Aggregation.COUNT;
        }
    }

    public String header() {
        StringBuilder sb = new StringBuilder("id,dep_time,origin,dest");
        for (ContextFeature c : set.contextFeatures()) {
            sb.append(',').append(c.column());
        }
        for (FeatureDefinition f : set.windowFeatures()) {
            sb.append(',').append(f.name());
        }
        return sb.append(",delay").toString();
    }

    public String format(FeatureVector v) {
        StringBuilder sb = new StringBuilder(128);
        sb.append(v.id)
                .append(',')
                .append(Instant.ofEpochMilli(v.depTime))
                .append(',')
                .append(v.origin)
                .append(',')
                .append(v.dest);
        for (ContextFeature c : set.contextFeatures()) {
            sb.append(',');
            switch (c) {
                case DISTANCE:
                    sb.append(v.distance);
                    break;
                case DEP_HOUR:
                    sb.append(v.depHour);
                    break;
                case DEP_DOW:
                    sb.append(v.depDow);
                    break;
                default:
                    throw new IllegalStateException("unknown context feature " + c);
            }
        }
        for (int i = 0; i < isCount.length; i++) {
            sb.append(',');
            double x = v.values[i];
            if (Double.isNaN(x)) {
                continue;
            }
            if (isCount[i]) {
                sb.append((long) x);
            } else {
                sb.append(Double.toString(x));
            }
        }
        sb.append(',');
        if (v.label != null) {
            sb.append(v.label.longValue());
        }
        return sb.toString();
    }
}
