package dev.parity.compression.methods;

import dev.parity.compression.spi.MlpTrainer;
import dev.parity.models.FeatureTable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Quantisation-aware training for static int8: the {@link MlpTrainer} fine-tunes the teacher with
 * the rounding of the QDQ export in its forward pass, then writes the same QDQ form as {@link
 * Int8StaticMethod} with the activation ranges learned in training instead of calibrated ones.
 * Needs a trainer and a training file, and an MLP of the trainer's layout; otherwise it is skipped
 * (and the report says why).
 */
public final class QatMethod implements CompressionMethod {
    private final int epochs;

    public QatMethod(int epochs) {
        if (epochs < 1) {
            throw new IllegalArgumentException("epochs must be positive, got " + epochs);
        }
        this.epochs = epochs;
    }

    public QatMethod() {
        this(8);
    }

    @Override
    public String name() {
        return "qat";
    }

    @Override
    public List<Variant> apply(MethodContext ctx) throws Exception {
        MlpTrainer trainer = ctx.requireTrainer();
        FeatureTable table = ctx.requireTable();
        MlpTrainer.QuantizationAware q;
        try {
            q = trainer.quantizationAware(ctx.teacherBytes(), table, epochs);
        } catch (IllegalArgumentException e) {
            // a teacher that is not the trainer's MLP layout (a CNN, a rewritten graph)
            throw new MethodSkippedException("cannot train this model: " + e.getMessage());
        }
        Map<String, String> params = new LinkedHashMap<>();
        params.put("format", "QDQ");
        params.put("ranges", "observed over 50 training batches (moving min/max), then frozen");
        params.put("epochs", q.bestEpoch + " of " + q.epochs + " (best by validation MAE)");
        params.put("validation_mae_quantised", String.format(Locale.ROOT, "%.4f", q.validationMae));
        for (Map.Entry<String, float[]> r : q.ranges.entrySet()) {
            params.put(
                    "range." + r.getKey(),
                    String.format(Locale.ROOT, "[%.6g, %.6g]", r.getValue()[0], r.getValue()[1]));
        }
        List<String> notes = new ArrayList<>();
        notes.add(
                String.format(
                        Locale.ROOT,
                        "ONNX Runtime's int8 model vs the quantised training graph on the"
                                + " validation rows: max |diff| %.3g, mean %.3g",
                        q.maxAbsDiff,
                        q.meanAbsDiff));
        if (q.bestEpoch == 0) {
            notes.add(
                    "no epoch improved on the quantised teacher: the weights are the teacher's,"
                            + " the ranges those observed before training");
        }
        return List.of(new Variant("qat-int8", name(), params, q.int8Onnx, notes));
    }
}
