package dev.parity.models.flink;

import dev.parity.features.engine.FeatureRow;
import dev.parity.features.engine.SpecPlan;
import dev.parity.models.ModelContract;

/**
 * Any feature spec's {@link FeatureRow}s as model input: the contract's columns (by default the
 * spec's numeric columns, {@link SpecPlan#modelInputs()}) in order, a {@code long} or {@code
 * double} as its value, a {@code boolean} as 0 or 1, a null as the manifest's default. No
 * per-dataset code.
 */
public final class SpecRowInput implements ScoringInput<FeatureRow> {
    private static final long serialVersionUID = 1L;

    private final SpecPlan plan;
    private final ModelContract contract;
    private final int[] positions;

    public SpecRowInput(SpecPlan plan) {
        this(plan, ModelContract.of(plan));
    }

    /**
     * The columns of {@code contract} (a spec contract such as {@link ModelContract#online}), read
     * from the rows by name.
     */
    public SpecRowInput(SpecPlan plan, ModelContract contract) {
        if (!contract.fingerprint().equals(plan.fingerprint())) {
            throw new IllegalArgumentException(
                    "contract " + contract + " is not of spec " + plan.name());
        }
        this.plan = plan;
        this.contract = contract;
        this.positions = plan.positionsOf(contract.inputColumns());
    }

    public SpecPlan plan() {
        return plan;
    }

    @Override
    public ModelContract contract() {
        return contract;
    }

    @Override
    public long id(FeatureRow r) {
        return r.id;
    }

    @Override
    public long time(FeatureRow r) {
        return r.time;
    }

    @Override
    public String fill(FeatureRow r, double[] defaults, float[] row) {
        for (int i = 0; i < positions.length; i++) {
            Object v = r.values[positions[i]];
            double x;
            if (v == null) {
                x = defaults[i];
            } else if (v instanceof Number) {
                x = ((Number) v).doubleValue();
            } else if (v instanceof Boolean) {
                x = (Boolean) v ? 1 : 0;
            } else {
                return "input '" + contract.inputColumns().get(i) + "' is not a number: " + v;
            }
            row[i] = (float) x;
        }
        return null;
    }
}
