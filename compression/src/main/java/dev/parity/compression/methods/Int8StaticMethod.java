package dev.parity.compression.methods;

import ai.onnx.proto.OnnxMl;
import dev.parity.compression.onnx.GraphEditor;
import dev.parity.compression.onnx.Layers;
import dev.parity.compression.onnx.Tensors;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Static int8 quantisation in QDQ form: each activation read by a Gemm/MatMul/Conv goes through
 * {@code QuantizeLinear -> DequantizeLinear} (uint8, per tensor, asymmetric) with a range
 * calibrated by running an instrumented copy of the model (the activations added as graph outputs)
 * in ONNX Runtime; weights are int8 per output channel behind a {@code DequantizeLinear}; Gemm and
 * Conv biases are int32 with scale = activation scale x weight scale, as ONNX Runtime expects to
 * fuse the group into an integer kernel. Graph outputs are never quantised (a regression output
 * would lose its resolution).
 *
 * <p>Two calibrators: min-max, and percentile (the range between the {@code 100 - p} and {@code p}
 * percentiles of the observed values, which ignores rare outliers).
 */
public final class Int8StaticMethod implements CompressionMethod {
    /** Values kept per activation for the percentile calibrator. */
    private static final int MAX_SAMPLES = 1 << 21;

    private final int calibrationRows;
    private final double percentile;

    public Int8StaticMethod(int calibrationRows, double percentile) {
        if (calibrationRows < 1 || percentile <= 50 || percentile > 100) {
            throw new IllegalArgumentException(
                    "calibrationRows must be positive and percentile in (50, 100]");
        }
        this.calibrationRows = calibrationRows;
        this.percentile = percentile;
    }

    public Int8StaticMethod() {
        this(10_000, 99.99);
    }

    @Override
    public String name() {
        return "int8-static";
    }

    @Override
    public List<Variant> apply(MethodContext ctx) throws Exception {
        QuantizableLayers found =
                QuantizableLayers.find(ctx.teacher(), 13, "per-channel DequantizeLinear");
        List<String> notes = found.notes();
        List<Layers.Dense> dense = found.dense();
        List<Layers.Conv> convs = found.convs();
        Set<String> activations = new LinkedHashSet<>();
        for (Layers.Dense d : dense) {
            activations.add(d.input);
        }
        for (Layers.Conv c : convs) {
            activations.add(c.node.getInput(0));
        }
        Map<String, Sampler> samples = calibrate(ctx, activations);
        String source =
                ctx.calibrationInputs().fromData()
                        ? "calibrated on "
                                + Math.min(calibrationRows, ctx.calibrationInputs().availableRows())
                                + " rows: "
                                + ctx.calibrationInputs().description()
                        : "calibrated on "
                                + calibrationRows
                                + " "
                                + ctx.calibrationInputs().description();
        notes.add(source);
        notes.add("graph outputs and activations of other operators stay float32");
        List<Variant> out = new ArrayList<>();
        for (String calibrator : List.of("minmax", "percentile")) {
            Map<String, float[]> ranges = new HashMap<>();
            for (Map.Entry<String, Sampler> e : samples.entrySet()) {
                Sampler sm = e.getValue();
                ranges.put(
                        e.getKey(),
                        calibrator.equals("minmax")
                                ? new float[] {Math.min(sm.min, 0f), Math.max(sm.max, 0f)}
                                : range(sm.values(), percentile));
            }
            Map<String, String> params = new LinkedHashMap<>();
            params.put("format", "QDQ");
            params.put("calibrator", calibrator);
            if (calibrator.equals("percentile")) {
                params.put("percentile", Double.toString(percentile));
            }
            params.put(
                    "calibration_rows",
                    Integer.toString(
                            Math.min(calibrationRows, ctx.calibrationInputs().availableRows())));
            for (Map.Entry<String, float[]> r : ranges.entrySet()) {
                params.put(
                        "range." + r.getKey(),
                        String.format(
                                Locale.ROOT, "[%.6g, %.6g]", r.getValue()[0], r.getValue()[1]));
            }
            String suffix =
                    calibrator.equals("minmax")
                            ? "int8-static-minmax"
                            : "int8-static-p" + Double.toString(percentile).replace(".", "");
            out.add(new Variant(suffix, name(), params, rewrite(ctx.teacher(), ranges), notes));
        }
        return out;
    }

    /** Runs the model with {@code tensors} as extra outputs and samples their values. */
    private Map<String, Sampler> calibrate(MethodContext ctx, Set<String> tensors)
            throws Exception {
        Map<String, Sampler> samplers = new LinkedHashMap<>();
        for (String t : tensors) {
            samplers.put(t, new Sampler());
        }
        ActivationStats.run(
                ctx.teacher(),
                tensors,
                ctx.calibrationInputs(),
                calibrationRows,
                (t, v) -> samplers.get(t).add(v));
        return samplers;
    }

    /** [lo, hi] covering zero: min-max at p = 100, else the (100 - p) and p percentiles. */
    public static float[] range(float[] values, double p) {
        float lo;
        float hi;
        if (p >= 100) {
            lo = Float.POSITIVE_INFINITY;
            hi = Float.NEGATIVE_INFINITY;
            for (float v : values) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
        } else {
            float[] sorted = values.clone();
            Arrays.sort(sorted);
            int n = sorted.length;
            lo = sorted[(int) Math.floor((100 - p) / 100 * (n - 1))];
            hi = sorted[(int) Math.ceil(p / 100 * (n - 1))];
        }
        return new float[] {Math.min(lo, 0f), Math.max(hi, 0f)};
    }

    static byte[] rewrite(OnnxMl.ModelProto teacher, Map<String, float[]> ranges) {
        GraphEditor g = GraphEditor.of(teacher);
        List<String> ignored = new ArrayList<>();
        List<Layers.Dense> dense = Layers.dense(g, ignored);
        List<Layers.Conv> convs = Layers.convs(g, ignored);
        // Q/DQ pairs for activations, inserted right before the first layer that reads them.
        Map<String, String> dequantized = new HashMap<>();
        Map<String, Float> scales = new HashMap<>();
        Map<Integer, List<OnnxMl.NodeProto>> replacements = new HashMap<>();
        for (Layers.Dense d : dense) {
            List<OnnxMl.NodeProto> nodes = new ArrayList<>();
            String x = qdq(g, d.input, ranges.get(d.input), nodes, dequantized, scales);
            float xs = scales.get(d.input);
            OnnxMl.TensorProto w = g.initializer(d.weight);
            float[] wv = Tensors.floats(w);
            // Quantise in the stored orientation; the channel axis is the output dimension.
            int axis = d.isGemm() && d.transB ? 0 : 1;
            Quantization.PerChannel q =
                    axis == 0 ? Quantization.leading(wv, d.n) : Quantization.columns(wv, d.k, d.n);
            String wdq = dequantizeWeight(g, d.weight, Tensors.dims(w), q, axis, d.n, nodes);
            OnnxMl.NodeProto.Builder node = d.node.toBuilder().setInput(0, x).setInput(1, wdq);
            if (d.bias != null && d.alpha == 1f && d.beta == 1f) {
                OnnxMl.TensorProto b = g.initializer(d.bias);
                if (b.getDimsCount() == 1 && b.getDims(0) == d.n) {
                    node.setInput(
                            2, dequantizeBias(g, d.bias, Tensors.floats(b), xs, q.scales, nodes));
                }
            }
            nodes.add(node.build());
            replacements.put(d.index, nodes);
        }
        for (Layers.Conv c : convs) {
            List<OnnxMl.NodeProto> nodes = new ArrayList<>();
            String in = c.node.getInput(0);
            String x = qdq(g, in, ranges.get(in), nodes, dequantized, scales);
            int channels = (int) c.weightDims[0];
            Quantization.PerChannel q =
                    Quantization.leading(Tensors.floats(g.initializer(c.weight)), channels);
            String wdq = dequantizeWeight(g, c.weight, c.weightDims, q, 0, channels, nodes);
            OnnxMl.NodeProto.Builder node = c.node.toBuilder().setInput(0, x).setInput(1, wdq);
            if (c.bias != null) {
                node.setInput(
                        2,
                        dequantizeBias(
                                g,
                                c.bias,
                                Tensors.floats(g.initializer(c.bias)),
                                scales.get(in),
                                q.scales,
                                nodes));
            }
            nodes.add(node.build());
            replacements.put(c.index, nodes);
        }
        for (Map.Entry<Integer, List<OnnxMl.NodeProto>> e : replacements.entrySet()) {
            g.replaceNode(e.getKey(), e.getValue());
        }
        return g.build().toByteArray();
    }

    private static String qdq(
            GraphEditor g,
            String tensor,
            float[] range,
            List<OnnxMl.NodeProto> nodes,
            Map<String, String> done,
            Map<String, Float> scales) {
        String existing = done.get(tensor);
        if (existing != null) {
            return existing;
        }
        float lo = range[0];
        float hi = range[1];
        float scale = hi > lo ? (hi - lo) / 255f : 1f;
        int zp = (int) Math.max(0, Math.min(255, Math.round(-lo / scale)));
        String s =
                g.addInitializer(
                        Tensors.floats(
                                g.fresh(tensor + "_scale"), new long[0], new float[] {scale}));
        String z =
                g.addInitializer(
                        Tensors.uint8(
                                g.fresh(tensor + "_zero_point"),
                                new long[0],
                                new byte[] {(byte) zp}));
        String q = g.fresh(tensor + "_QuantizeLinear_Output");
        String dq = g.fresh(tensor + "_DequantizeLinear_Output");
        nodes.add(
                GraphEditor.node(
                        "QuantizeLinear",
                        g.fresh(tensor + "_QuantizeLinear"),
                        List.of(tensor, s, z),
                        List.of(q)));
        nodes.add(
                GraphEditor.node(
                        "DequantizeLinear",
                        g.fresh(tensor + "_DequantizeLinear"),
                        List.of(q, s, z),
                        List.of(dq)));
        done.put(tensor, dq);
        scales.put(tensor, scale);
        return dq;
    }

    private static String dequantizeWeight(
            GraphEditor g,
            String weight,
            long[] dims,
            Quantization.PerChannel q,
            int axis,
            int channels,
            List<OnnxMl.NodeProto> nodes) {
        String wq = g.addInitializer(Tensors.int8(g.fresh(weight + "_quantized"), dims, q.q));
        String ws =
                g.addInitializer(
                        Tensors.floats(
                                g.fresh(weight + "_scale"), new long[] {channels}, q.scales));
        String wz =
                g.addInitializer(
                        Tensors.int8(
                                g.fresh(weight + "_zero_point"),
                                new long[] {channels},
                                new byte[channels]));
        String out = g.fresh(weight + "_DequantizeLinear_Output");
        nodes.add(
                GraphEditor.node(
                                "DequantizeLinear",
                                g.fresh(weight + "_DequantizeLinear"),
                                List.of(wq, ws, wz),
                                List.of(out))
                        .toBuilder()
                        .addAttribute(GraphEditor.intAttr("axis", axis))
                        .build());
        return out;
    }

    private static String dequantizeBias(
            GraphEditor g,
            String bias,
            float[] b,
            float xs,
            float[] ws,
            List<OnnxMl.NodeProto> nodes) {
        int n = b.length;
        int[] q = new int[n];
        float[] s = new float[n];
        for (int j = 0; j < n; j++) {
            s[j] = xs * ws[j];
            q[j] =
                    (int)
                            Math.max(
                                    Integer.MIN_VALUE,
                                    Math.min(Integer.MAX_VALUE, Math.round((double) b[j] / s[j])));
        }
        String bq =
                g.addInitializer(Tensors.int32(g.fresh(bias + "_quantized"), new long[] {n}, q));
        String bs = g.addInitializer(Tensors.floats(g.fresh(bias + "_scale"), new long[] {n}, s));
        String bz =
                g.addInitializer(
                        Tensors.int32(g.fresh(bias + "_zero_point"), new long[] {n}, new int[n]));
        String out = g.fresh(bias + "_DequantizeLinear_Output");
        nodes.add(
                GraphEditor.node(
                                "DequantizeLinear",
                                g.fresh(bias + "_DequantizeLinear"),
                                List.of(bq, bs, bz),
                                List.of(out))
                        .toBuilder()
                        .addAttribute(GraphEditor.intAttr("axis", 0))
                        .build());
        return out;
    }

    /** A bounded, evenly strided sample of every value seen. */
    private static final class Sampler {
        private float[] buf = new float[1 << 16];
        private int size;
        private long seen;
        private int stride = 1;
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;

        void add(float[] v) {
            for (float x : v) {
                min = Math.min(min, x);
                max = Math.max(max, x);
                if (seen++ % stride == 0) {
                    if (size == buf.length) {
                        if (buf.length < MAX_SAMPLES) {
                            buf = Arrays.copyOf(buf, buf.length * 2);
                        } else {
                            // Halve the sample and double the stride: still evenly spread.
                            for (int i = 0; i < size / 2; i++) {
                                buf[i] = buf[2 * i];
                            }
                            size /= 2;
                            stride *= 2;
                        }
                    }
                    buf[size++] = x;
                }
            }
        }

        float[] values() {
            return Arrays.copyOf(buf, size);
        }
    }
}
