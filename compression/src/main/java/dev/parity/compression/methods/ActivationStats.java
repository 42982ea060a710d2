package dev.parity.compression.methods;

import ai.onnx.proto.OnnxMl;
import dev.parity.compression.eval.ModelInputs;
import dev.parity.compression.eval.OrtModel;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Runs an instrumented copy of a model (intermediate tensors added as graph outputs) in ONNX
 * Runtime and hands every batch of their values to a consumer: the calibration of int8-static and
 * the activation means of structured pruning.
 */
final class ActivationStats {
    /** Observed values copied out of ONNX Runtime per call, at most. */
    private static final long VALUES_PER_BATCH = 1 << 23;

    /** First generated batch number used for calibration; evaluation uses 0, 1, ... */
    private static final int GENERATED_SEEDS = 1 << 20;

    private ActivationStats() {}

    interface Sink {
        void accept(String tensor, float[] values);
    }

    /** Feeds up to {@code rows} rows of {@code inputs}; graph inputs are passed through as fed. */
    static void run(
            OnnxMl.ModelProto model, Set<String> tensors, ModelInputs inputs, int rows, Sink sink)
            throws Exception {
        OnnxMl.ModelProto.Builder m = model.toBuilder();
        Set<String> outputs = new LinkedHashSet<>();
        for (OnnxMl.ValueInfoProto v : m.getGraph().getOutputList()) {
            outputs.add(v.getName());
        }
        Set<String> graphInputs = new LinkedHashSet<>();
        for (OnnxMl.ValueInfoProto v : m.getGraph().getInputList()) {
            graphInputs.add(v.getName());
        }
        for (String t : tensors) {
            if (!outputs.contains(t) && !graphInputs.contains(t)) {
                m.getGraphBuilder()
                        .addOutput(
                                OnnxMl.ValueInfoProto.newBuilder()
                                        .setName(t)
                                        .setType(
                                                OnnxMl.TypeProto.newBuilder()
                                                        .setTensorType(
                                                                OnnxMl.TypeProto.Tensor.newBuilder()
                                                                        .setElemType(
                                                                                OnnxMl.TensorProto
                                                                                        .DataType
                                                                                        .FLOAT
                                                                                        .getNumber()))));
            }
        }
        try (OrtModel session = OrtModel.open(m.build().toByteArray())) {
            // One row first, to size the batches: every observed tensor of a batch is copied
            // out at once, which for a CNN's feature maps is megabytes per row.
            int total = Math.min(rows, inputs.availableRows());
            int batch = 1;
            int done = 0;
            while (done < total) {
                int n = Math.min(batch, total - done);
                // Generated inputs: seeds apart from the evaluation batches (numbered from 0).
                ModelInputs.Batch b =
                        inputs.batch(inputs.fromData() ? done : GENERATED_SEEDS + done, n);
                Map<String, float[]> values = session.run(b);
                long perRow = 0;
                for (String t : tensors) {
                    float[] v = graphInputs.contains(t) ? b.values.get(t) : values.get(t);
                    if (v == null) {
                        throw new IllegalStateException("no values for '" + t + "'");
                    }
                    sink.accept(t, v);
                    perRow += v.length / Math.max(1, b.rows);
                }
                done += b.rows;
                batch = (int) Math.max(1, Math.min(1024, VALUES_PER_BATCH / Math.max(1, perRow)));
            }
        }
    }

    /** Mean of each of the {@code width} columns of row-major [N, width] tensors. */
    static Map<String, double[]> columnMeans(
            OnnxMl.ModelProto model, Map<String, Integer> widths, ModelInputs inputs, int rows)
            throws Exception {
        Map<String, double[]> sums = new LinkedHashMap<>();
        Map<String, long[]> counts = new LinkedHashMap<>();
        for (Map.Entry<String, Integer> e : widths.entrySet()) {
            sums.put(e.getKey(), new double[e.getValue()]);
            counts.put(e.getKey(), new long[1]);
        }
        run(
                model,
                widths.keySet(),
                inputs,
                rows,
                (t, v) -> {
                    double[] s = sums.get(t);
                    int w = s.length;
                    if (v.length % w != 0) {
                        throw new IllegalStateException(
                                "'" + t + "' has " + v.length + " values, not rows of " + w);
                    }
                    for (int i = 0; i < v.length; i++) {
                        s[i % w] += v[i];
                    }
                    counts.get(t)[0] += v.length / w;
                });
        for (Map.Entry<String, double[]> e : sums.entrySet()) {
            long n = Math.max(1, counts.get(e.getKey())[0]);
            for (int i = 0; i < e.getValue().length; i++) {
                e.getValue()[i] /= n;
            }
        }
        return sums;
    }
}
