package dev.parity.compression.methods;

import ai.onnx.proto.OnnxMl;
import dev.parity.compression.eval.ModelInputs;
import dev.parity.compression.eval.OrtModel;
import dev.parity.compression.onnx.GraphEditor;
import dev.parity.compression.onnx.Layers;
import dev.parity.compression.onnx.Tensors;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
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

    /** The agreement the mixed-precision variant aims at: mean |diff| / mean |output|. */
    static final double MIXED_TARGET = 0.02;

    /** At most this many Conv layers stay float in the mixed-precision variant. */
    static final int MIXED_MAX_FLOAT = 4;

    /** Probe rows for the mixed-precision search. */
    private static final int MIXED_ROWS = 256;

    /** Generated probe batch: apart from calibration (from 1 << 20) and evaluation (from 0). */
    private static final int PROBE_SEED = 1 << 21;

    private final int calibrationRows;
    private final double percentile;
    private final double mixedTarget;

    public Int8StaticMethod(int calibrationRows, double percentile) {
        this(calibrationRows, percentile, MIXED_TARGET);
    }

    /**
     * @param mixedTarget the agreement (mean |diff| / mean |output|) a Conv graph's mixed-precision
     *     variant aims at, when all-int8 misses it
     */
    public Int8StaticMethod(int calibrationRows, double percentile, double mixedTarget) {
        if (calibrationRows < 1 || percentile <= 50 || percentile > 100 || !(mixedTarget > 0)) {
            throw new IllegalArgumentException(
                    "calibrationRows must be positive, percentile in (50, 100] and mixedTarget"
                            + " positive");
        }
        this.calibrationRows = calibrationRows;
        this.percentile = percentile;
        this.mixedTarget = mixedTarget;
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
        QdqPlan plan = QdqPlan.of(GraphEditor.of(ctx.teacher()));
        Set<String> activations = plan.calibrated();
        long convOutputs =
                plan.points.values().stream()
                        .filter(
                                p ->
                                        p.kind == QdqPlan.Kind.OUTPUT
                                                && plan.convs.containsKey(p.producer))
                        .count();
        if (!found.convs().isEmpty()) {
            notes.add(
                    convOutputs
                            + " of "
                            + found.convs().size()
                            + " Conv outputs quantised (QLinearConv in ONNX Runtime); the others"
                            + " feed a graph output and stay float");
        }
        // the mixed-precision search needs the tensors that become quantised when a Conv stays
        // float (the input of the next one), so they are observed in the same run
        Set<String> observed = new java.util.LinkedHashSet<>(activations);
        GraphEditor editor = GraphEditor.of(ctx.teacher());
        for (int c : plan.convs.keySet()) {
            observed.addAll(QdqPlan.of(editor, Set.of(c)).calibrated());
        }
        Map<String, Sampler> samples = calibrate(ctx, observed);
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
        notes.add(
                "graph outputs, Gemm/MatMul outputs and activations of other operators stay"
                        + " float32");
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
            if (calibrator.equals("minmax") && !plan.convs.isEmpty()) {
                Variant mixed = mixedPrecision(ctx, plan, ranges, params, notes);
                if (mixed != null) {
                    out.add(mixed);
                }
            }
        }
        return out;
    }

    /**
     * Mixed precision for a Conv graph whose all-int8 form misses the target: keeps the Conv layers
     * in float, one at a time, each time the one whose float form lowers the difference to the
     * teacher most, measured on probe rows that neither calibration nor the report uses, until the
     * target is met or {@link #MIXED_MAX_FLOAT} layers are float. Null when all-int8 is within the
     * target already.
     */
    private Variant mixedPrecision(
            MethodContext ctx,
            QdqPlan plan,
            Map<String, float[]> ranges,
            Map<String, String> minMaxParams,
            List<String> baseNotes)
            throws Exception {
        ModelInputs.Batch probe =
                ctx.calibrationInputs()
                        .batch(
                                ctx.calibrationInputs().fromData() ? 0 : PROBE_SEED,
                                Math.min(MIXED_ROWS, ctx.calibrationInputs().availableRows()));
        Map<String, float[]> teacherOut;
        try (OrtModel teacher = OrtModel.open(ctx.teacherBytes())) {
            teacherOut = teacher.run(probe);
        }
        Set<Integer> floats = new java.util.TreeSet<>();
        double error = relativeError(teacherOut, rewrite(ctx.teacher(), ranges, floats), probe);
        List<String> steps = new ArrayList<>();
        steps.add(String.format(Locale.ROOT, "all int8 %.2f %%", 100 * error));
        if (error <= mixedTarget) {
            return null;
        }
        // at least one Conv stays int8, else it is the teacher again
        int most = Math.min(MIXED_MAX_FLOAT, plan.convs.size() - 1);
        while (error > mixedTarget && floats.size() < most) {
            int best = -1;
            double bestError = error;
            for (int c : plan.convs.keySet()) {
                if (floats.contains(c)) {
                    continue;
                }
                Set<Integer> tryFloat = new java.util.TreeSet<>(floats);
                tryFloat.add(c);
                double e =
                        relativeError(teacherOut, rewrite(ctx.teacher(), ranges, tryFloat), probe);
                if (e < bestError) {
                    bestError = e;
                    best = c;
                }
            }
            if (best < 0) {
                break; // no single layer helps further
            }
            floats.add(best);
            error = bestError;
            steps.add(
                    String.format(
                            Locale.ROOT,
                            "+ %s float: %.2f %%",
                            nodeName(ctx.teacher(), best),
                            100 * error));
        }
        if (floats.isEmpty()) {
            return null;
        }
        Map<String, String> params = new LinkedHashMap<>(minMaxParams);
        List<String> names = new ArrayList<>();
        for (int c : floats) {
            names.add(nodeName(ctx.teacher(), c));
        }
        params.put("float_convs", String.join(",", names));
        List<String> notes = new ArrayList<>(baseNotes);
        notes.add(
                "mixed precision, mean |diff| / mean |output| on "
                        + probe.rows
                        + " probe rows: "
                        + String.join(", ", steps)
                        + (error > mixedTarget
                                ? String.format(
                                        Locale.ROOT,
                                        " (target %.2g %% not reached with %d float layers)",
                                        100 * mixedTarget,
                                        floats.size())
                                : ""));
        return new Variant(
                "int8-static-mixed", name(), params, rewrite(ctx.teacher(), ranges, floats), notes);
    }

    private static String nodeName(OnnxMl.ModelProto m, int index) {
        OnnxMl.NodeProto n = m.getGraph().getNode(index);
        return n.getName().isEmpty() ? n.getOpType() + "#" + index : n.getName();
    }

    /** Mean |candidate - teacher| / mean |teacher| over every float output. */
    private static double relativeError(
            Map<String, float[]> teacherOut, byte[] candidate, ModelInputs.Batch probe)
            throws Exception {
        Map<String, float[]> out;
        try (OrtModel m = OrtModel.open(candidate)) {
            out = m.run(probe);
        }
        double diff = 0;
        double magnitude = 0;
        for (Map.Entry<String, float[]> e : teacherOut.entrySet()) {
            float[] t = e.getValue();
            float[] c = out.get(e.getKey());
            for (int i = 0; i < t.length; i++) {
                diff += Math.abs(c[i] - t[i]);
                magnitude += Math.abs(t[i]);
            }
        }
        return magnitude == 0 ? diff : diff / magnitude;
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

    /**
     * Uint8 scale and zero point for a range widened to cover 0. With {@code exactLo} (the bound of
     * a folded clamp) {@code q = 0} dequantises to exactly {@code lo}: many activations sit at a
     * clamp's bound, and an offset there would shift every one of them the same way, a bias the
     * next layer sums up (measured: 3.2 % instead of 2.6 % mean difference on the speech CNN). The
     * scale then moves by at most {@code 1 / (2 zp)} of itself, so the top of the range moves too.
     */
    public static float[] scaleAndZeroPoint(float lo, float hi, boolean exactLo) {
        lo = Math.min(lo, 0f);
        hi = Math.max(hi, 0f);
        if (!(hi > lo)) {
            return new float[] {1f, 0f};
        }
        float scale = (hi - lo) / 255f;
        int zp = (int) Math.max(0, Math.min(255, Math.round(-lo / scale)));
        if (exactLo && lo < 0) {
            if (zp == 0) {
                scale = hi / 255f; // |lo| under half a step: clamp at 0, within half a step
            } else {
                scale = -lo / zp;
            }
        }
        return new float[] {scale, zp};
    }

    /**
     * The static int8 QDQ form of {@code floatOnnx} with the given activation ranges (tensor name
     * -> [lo, hi]), e.g. those learned by quantisation-aware training.
     *
     * @throws IllegalArgumentException naming a tensor the plan quantises that has no range
     */
    public static byte[] qdq(byte[] floatOnnx, Map<String, float[]> ranges) {
        OnnxMl.ModelProto model;
        try {
            model = OnnxMl.ModelProto.parseFrom(floatOnnx);
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("not an ONNX model: " + e.getMessage(), e);
        }
        for (String t : QdqPlan.of(GraphEditor.of(model)).calibrated()) {
            if (!ranges.containsKey(t)) {
                throw new IllegalArgumentException(
                        "no range for activation '" + t + "', which the QDQ plan quantises");
            }
        }
        return rewrite(model, ranges);
    }

    static byte[] rewrite(OnnxMl.ModelProto teacher, Map<String, float[]> ranges) {
        return rewrite(teacher, ranges, Set.of());
    }

    static byte[] rewrite(
            OnnxMl.ModelProto teacher, Map<String, float[]> ranges, Set<Integer> floatConvs) {
        GraphEditor g = GraphEditor.of(teacher);
        QdqPlan plan = QdqPlan.of(g, floatConvs);
        // Scale and zero-point initializers, one pair per point that owns parameters.
        Map<QdqPlan.Point, String[]> params = new HashMap<>();
        Map<QdqPlan.Point, Float> scales = new HashMap<>();
        for (QdqPlan.Point p : plan.points.values()) {
            if (p.kind == QdqPlan.Kind.SAME) {
                continue;
            }
            float[] r = ranges.get(p.tensor);
            float lo = p.fixedLo != null ? p.fixedLo : r[0];
            float hi = p.fixedHi != null ? p.fixedHi : r[1];
            float[] sz = scaleAndZeroPoint(lo, hi, p.fixedLo != null);
            String s =
                    g.addInitializer(
                            Tensors.floats(
                                    g.fresh(p.tensor + "_scale"),
                                    new long[0],
                                    new float[] {sz[0]}));
            String z =
                    g.addInitializer(
                            Tensors.uint8(
                                    g.fresh(p.tensor + "_zero_point"),
                                    new long[0],
                                    new byte[] {(byte) (int) sz[1]}));
            params.put(p, new String[] {s, z});
            scales.put(p, sz[0]);
        }
        List<OnnxMl.NodeProto> originals = g.originalNodes();
        Map<Integer, List<OnnxMl.NodeProto>> before = new HashMap<>();
        Map<Integer, List<OnnxMl.NodeProto>> after = new HashMap<>();
        Map<Integer, OnnxMl.NodeProto.Builder> rewritten = new HashMap<>();
        // Inputs nobody planned produces: Q/DQ before their first planned reader.
        Map<String, String> dequantizedInput = new HashMap<>();
        for (int i : new java.util.TreeSet<>(plan.readers)) {
            String t = originals.get(i).getInput(0);
            QdqPlan.Point p = plan.points.get(t);
            OnnxMl.NodeProto.Builder node =
                    rewritten.computeIfAbsent(i, k -> originals.get(k).toBuilder());
            if (p.kind == QdqPlan.Kind.INPUT) {
                String dq = dequantizedInput.get(t);
                if (dq == null) {
                    dq = g.fresh(t + "_DequantizeLinear_Output");
                    qdq(g, t, dq, params.get(p), before.computeIfAbsent(i, k -> new ArrayList<>()));
                    dequantizedInput.put(t, dq);
                }
                node.setInput(0, dq);
            }
        }
        // Outputs: the producer writes a fresh float tensor, Q/DQ restores the original name.
        for (QdqPlan.Point p : plan.points.values()) {
            if (p.kind == QdqPlan.Kind.INPUT) {
                continue;
            }
            OnnxMl.NodeProto.Builder node =
                    rewritten.computeIfAbsent(p.producer, k -> originals.get(k).toBuilder());
            String raw = g.fresh(node.getOutput(0) + "_float");
            node.setOutput(0, raw);
            qdq(
                    g,
                    raw,
                    p.tensor,
                    params.get(p.root()),
                    after.computeIfAbsent(p.producer, k -> new ArrayList<>()));
            for (int r : p.removed) {
                rewritten.remove(r);
                g.replaceNode(r, List.of());
            }
        }
        Set<Integer> removed = new java.util.HashSet<>();
        for (QdqPlan.Point p : plan.points.values()) {
            removed.addAll(p.removed);
        }
        // Weights (int8 per output channel) and int32 biases of the planned layers.
        for (Map.Entry<Integer, Layers.Dense> e : plan.dense.entrySet()) {
            Layers.Dense d = e.getValue();
            List<OnnxMl.NodeProto> nodes = before.computeIfAbsent(d.index, k -> new ArrayList<>());
            OnnxMl.NodeProto.Builder node = rewritten.get(d.index);
            float xs = scales.get(plan.points.get(d.input).root());
            OnnxMl.TensorProto w = g.initializer(d.weight);
            float[] wv = Tensors.floats(w);
            // Quantise in the stored orientation; the channel axis is the output dimension.
            int axis = d.isGemm() && d.transB ? 0 : 1;
            Quantization.PerChannel q =
                    axis == 0 ? Quantization.leading(wv, d.n) : Quantization.columns(wv, d.k, d.n);
            node.setInput(1, dequantizeWeight(g, d.weight, Tensors.dims(w), q, axis, d.n, nodes));
            if (d.bias != null && d.alpha == 1f && d.beta == 1f) {
                OnnxMl.TensorProto b = g.initializer(d.bias);
                if (b.getDimsCount() == 1 && b.getDims(0) == d.n) {
                    node.setInput(
                            2, dequantizeBias(g, d.bias, Tensors.floats(b), xs, q.scales, nodes));
                }
            }
        }
        for (Map.Entry<Integer, Layers.Conv> e : plan.convs.entrySet()) {
            Layers.Conv c = e.getValue();
            List<OnnxMl.NodeProto> nodes = before.computeIfAbsent(c.index, k -> new ArrayList<>());
            OnnxMl.NodeProto.Builder node = rewritten.get(c.index);
            float xs = scales.get(plan.points.get(c.node.getInput(0)).root());
            int channels = (int) c.weightDims[0];
            Quantization.PerChannel q =
                    Quantization.leading(Tensors.floats(g.initializer(c.weight)), channels);
            node.setInput(1, dequantizeWeight(g, c.weight, c.weightDims, q, 0, channels, nodes));
            if (c.bias != null) {
                node.setInput(
                        2,
                        dequantizeBias(
                                g,
                                c.bias,
                                Tensors.floats(g.initializer(c.bias)),
                                xs,
                                q.scales,
                                nodes));
            }
        }
        for (Map.Entry<Integer, OnnxMl.NodeProto.Builder> e : rewritten.entrySet()) {
            if (removed.contains(e.getKey())) {
                continue;
            }
            List<OnnxMl.NodeProto> nodes =
                    new ArrayList<>(before.getOrDefault(e.getKey(), List.of()));
            nodes.add(e.getValue().build());
            nodes.addAll(after.getOrDefault(e.getKey(), List.of()));
            g.replaceNode(e.getKey(), nodes);
        }
        return g.build().toByteArray();
    }

    /** {@code in -> QuantizeLinear -> DequantizeLinear -> out} with the given scale/zero point. */
    private static void qdq(
            GraphEditor g, String in, String out, String[] scaleZp, List<OnnxMl.NodeProto> nodes) {
        String q = g.fresh(out + "_QuantizeLinear_Output");
        nodes.add(
                GraphEditor.node(
                        "QuantizeLinear",
                        g.fresh(out + "_QuantizeLinear"),
                        List.of(in, scaleZp[0], scaleZp[1]),
                        List.of(q)));
        nodes.add(
                GraphEditor.node(
                        "DequantizeLinear",
                        g.fresh(out + "_DequantizeLinear"),
                        List.of(q, scaleZp[0], scaleZp[1]),
                        List.of(out)));
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
