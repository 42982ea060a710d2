package dev.parity.compression.methods;

import ai.onnx.proto.OnnxMl;
import dev.parity.compression.onnx.GraphEditor;
import dev.parity.compression.onnx.Layers;
import dev.parity.compression.onnx.Tensors;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Two kinds of pruning.
 *
 * <ul>
 *   <li>Unstructured magnitude pruning, <b>per layer</b>: in every Gemm/MatMul/Conv weight the
 *       given fraction of smallest-magnitude weights becomes exactly zero (per layer rather than
 *       global, because layers differ in scale and a global threshold empties the small ones). The
 *       tensors stay dense: the file and the kernels do not shrink, only the non-zero parameter
 *       count does (and the file compresses better).
 *   <li>Structured neuron pruning: in each hidden layer between two dense layers (Gemm followed by
 *       an element-wise activation and another Gemm/MatMul), the given fraction of neurons with the
 *       smallest L2 norm (incoming column norm x outgoing row norm) is removed: W columns, bias
 *       entries and the next W's rows go, leaving a smaller dense model. What a removed neuron
 *       contributed on average (its mean activation on the calibration rows x its outgoing row) is
 *       folded into the next layer's bias, so only its variation is lost.
 * </ul>
 */
public final class PruneMethod implements CompressionMethod {
    private static final Set<String> ELEMENTWISE = Set.of("Relu", "LeakyRelu", "Tanh", "Sigmoid");
    private static final int COMPENSATION_ROWS = 10_000;

    private final double[] sparsities;
    private final double[] neuronFractions;

    public PruneMethod(double[] sparsities, double[] neuronFractions) {
        for (double s : sparsities) {
            check(s, "sparsity");
        }
        for (double s : neuronFractions) {
            check(s, "neuron fraction");
        }
        this.sparsities = sparsities.clone();
        this.neuronFractions = neuronFractions.clone();
    }

    public PruneMethod() {
        this(new double[] {0.5, 0.7, 0.9}, new double[] {0.25, 0.5});
    }

    private static void check(double f, String what) {
        if (!(f > 0 && f < 1)) {
            throw new IllegalArgumentException(what + " must be in (0, 1), got " + f);
        }
    }

    @Override
    public String name() {
        return "prune";
    }

    @Override
    public List<Variant> apply(MethodContext ctx) throws Exception {
        List<Variant> out = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (double s : sparsities) {
            out.add(magnitude(ctx.teacher(), s));
        }
        for (double f : neuronFractions) {
            Variant v = structured(ctx, f, skipped);
            if (v != null) {
                out.add(v);
            }
        }
        if (out.isEmpty()) {
            throw new MethodSkippedException(String.join("; ", skipped));
        }
        if (!skipped.isEmpty() && !out.isEmpty()) {
            // Keep the reason visible on the variants that were made.
            List<Variant> annotated = new ArrayList<>();
            for (Variant v : out) {
                List<String> notes = new ArrayList<>(v.notes());
                notes.addAll(skipped);
                annotated.add(new Variant(v.suffix(), v.method(), v.parameters(), v.onnx(), notes));
            }
            return annotated;
        }
        return out;
    }

    static Variant magnitude(OnnxMl.ModelProto teacher, double sparsity)
            throws MethodSkippedException {
        GraphEditor g = GraphEditor.of(teacher);
        List<String> notes = new ArrayList<>();
        List<String> weights = new ArrayList<>();
        for (Layers.Dense d : Layers.dense(g, notes)) {
            weights.add(d.weight);
        }
        for (Layers.Conv c : Layers.convs(g, notes)) {
            weights.add(c.weight);
        }
        if (weights.isEmpty()) {
            throw new MethodSkippedException("no Gemm, MatMul or Conv with constant weights");
        }
        long zeroed = 0;
        for (String name : new LinkedHashSet<>(weights)) {
            OnnxMl.TensorProto t = g.initializer(name);
            float[] w = Tensors.floats(t);
            zeroed += zeroSmallest(w, sparsity);
            g.setInitializer(Tensors.floats(name, Tensors.dims(t), w));
        }
        Map<String, String> params = new LinkedHashMap<>();
        params.put("kind", "unstructured magnitude");
        params.put("scope", "per layer");
        params.put("sparsity", Double.toString(sparsity));
        params.put("zeroed_weights", Long.toString(zeroed));
        notes.add("dense storage: zeros make the file compress better, not smaller or faster");
        return new Variant(
                String.format(Locale.ROOT, "prune-s%02d", Math.round(sparsity * 100)),
                "prune",
                params,
                g.build().toByteArray(),
                notes);
    }

    /** Sets the {@code fraction} smallest |w| to zero; returns how many are zero now. */
    static long zeroSmallest(float[] w, double fraction) {
        int k = (int) Math.floor(w.length * fraction);
        if (k == 0) {
            return 0;
        }
        Integer[] order = new Integer[w.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Float.compare(Math.abs(w[a]), Math.abs(w[b])));
        for (int i = 0; i < k; i++) {
            w[order[i]] = 0f;
        }
        return k;
    }

    /** A chain {@code dense -> activation -> dense} whose middle neurons can be removed. */
    private static final class Hidden {
        final Layers.Dense in;
        final Layers.Dense out;
        int[] keep;

        Hidden(Layers.Dense in, Layers.Dense out) {
            this.in = in;
            this.out = out;
        }
    }

    static Variant structured(MethodContext ctx, double fraction, List<String> skipped)
            throws Exception {
        OnnxMl.ModelProto teacher = ctx.teacher();
        GraphEditor g = GraphEditor.of(teacher);
        List<String> notes = new ArrayList<>();
        List<Layers.Dense> dense = Layers.dense(g, notes);
        List<Hidden> hidden = hiddenLayers(g, dense);
        if (hidden.isEmpty()) {
            String why = "structured pruning skipped: no Gemm -> activation -> Gemm/MatMul chain";
            if (!skipped.contains(why)) {
                skipped.add(why);
            }
            return null;
        }
        Map<String, String> params = new LinkedHashMap<>();
        params.put("kind", "structured neurons");
        params.put("removed_fraction", Double.toString(fraction));
        params.put("score", "L2(incoming column) x L2(outgoing row)");
        params.put(
                "compensation",
                "each removed neuron's mean activation x its outgoing row is added to the next"
                        + " layer's bias");
        // Mean activation of every hidden neuron on the calibration rows.
        Map<String, Integer> widths = new LinkedHashMap<>();
        for (Hidden h : hidden) {
            widths.put(h.out.input, h.in.n);
        }
        Map<String, double[]> means =
                ActivationStats.columnMeans(
                        teacher, widths, ctx.calibrationInputs(), COMPENSATION_ROWS);
        for (Hidden h : hidden) {
            float[] w1 = h.in.weightKn(g);
            float[] w2 = h.out.weightKn(g);
            int n = h.in.n;
            double[] score = new double[n];
            for (int j = 0; j < n; j++) {
                double a = 0;
                for (int i = 0; i < h.in.k; i++) {
                    a += (double) w1[i * n + j] * w1[i * n + j];
                }
                double b = 0;
                for (int c = 0; c < h.out.n; c++) {
                    b += (double) w2[j * h.out.n + c] * w2[j * h.out.n + c];
                }
                score[j] = Math.sqrt(a) * Math.sqrt(b);
            }
            int keepCount = Math.max(1, n - (int) Math.floor(n * fraction));
            Integer[] order = new Integer[n];
            for (int j = 0; j < n; j++) {
                order[j] = j;
            }
            Arrays.sort(order, (a, b) -> Double.compare(score[b], score[a]));
            int[] keep = new int[keepCount];
            for (int j = 0; j < keepCount; j++) {
                keep[j] = order[j];
            }
            Arrays.sort(keep);
            h.keep = keep;
            params.put("hidden." + h.in.output(), n + " -> " + keepCount);
        }
        // Rebuild every touched dense layer with its rows (inputs) and columns (outputs) filtered.
        Map<Layers.Dense, int[]> rows = new LinkedHashMap<>();
        Map<Layers.Dense, int[]> cols = new LinkedHashMap<>();
        for (Hidden h : hidden) {
            cols.put(h.in, h.keep);
            rows.put(h.out, h.keep);
        }
        LinkedHashSet<Layers.Dense> touched = new LinkedHashSet<>(cols.keySet());
        touched.addAll(rows.keySet());
        Map<Layers.Dense, double[]> shift = new LinkedHashMap<>();
        for (Hidden h : hidden) {
            double[] mean = means.get(h.out.input);
            float[] w2 = h.out.weightKn(g);
            double[] delta = new double[h.out.n];
            boolean[] kept = new boolean[h.in.n];
            for (int j : h.keep) {
                kept[j] = true;
            }
            for (int j = 0; j < h.in.n; j++) {
                if (!kept[j]) {
                    for (int c = 0; c < h.out.n; c++) {
                        delta[c] += mean[j] * w2[j * h.out.n + c] * h.out.alpha;
                    }
                }
            }
            shift.put(h.out, delta);
        }
        for (Layers.Dense d : touched) {
            int[] r = rows.getOrDefault(d, identity(d.k));
            int[] cs = cols.getOrDefault(d, identity(d.n));
            float[] w = d.weightKn(g);
            float[] nw = new float[r.length * cs.length];
            for (int i = 0; i < r.length; i++) {
                for (int j = 0; j < cs.length; j++) {
                    nw[i * cs.length + j] = w[r[i] * d.n + cs[j]];
                }
            }
            OnnxMl.TensorProto t =
                    d.transB
                            ? Tensors.floats(
                                    g.fresh(d.weight + "_pruned"),
                                    new long[] {cs.length, r.length},
                                    Layers.transpose(nw, r.length, cs.length))
                            : Tensors.floats(
                                    g.fresh(d.weight + "_pruned"),
                                    new long[] {r.length, cs.length},
                                    nw);
            g.addInitializer(t);
            OnnxMl.NodeProto.Builder node = d.node.toBuilder().setInput(1, t.getName());
            if (d.bias != null && cols.containsKey(d)) {
                float[] b = Tensors.floats(g.initializer(d.bias));
                float[] nb = new float[cs.length];
                for (int j = 0; j < cs.length; j++) {
                    nb[j] = b[cs[j]];
                }
                node.setInput(
                        2,
                        g.addInitializer(
                                Tensors.floats(
                                        g.fresh(d.bias + "_pruned"), new long[] {cs.length}, nb)));
            }
            List<OnnxMl.NodeProto> nodes = new ArrayList<>();
            double[] delta = shift.get(d);
            if (delta != null) {
                // The shift is per original output column; keep the columns this layer keeps.
                int width = cs.length;
                float[] add = new float[width];
                for (int c = 0; c < width; c++) {
                    add[c] = (float) delta[cs[c]];
                }
                if (d.isGemm() && d.bias != null && g.initializer(d.bias).getDimsCount() == 1) {
                    float[] b = Tensors.floats(g.initializer(node.getInput(2)));
                    for (int c = 0; c < width; c++) {
                        b[c] += add[c] / d.beta;
                    }
                    node.setInput(
                            2,
                            g.addInitializer(
                                    Tensors.floats(
                                            g.fresh(d.bias + "_compensated"),
                                            new long[] {width},
                                            b)));
                } else if (d.isGemm() && d.bias == null) {
                    for (int c = 0; c < width; c++) {
                        add[c] /= d.beta;
                    }
                    node.addInput(
                            g.addInitializer(
                                    Tensors.floats(
                                            g.fresh(d.weight + "_compensation"),
                                            new long[] {width},
                                            add)));
                } else {
                    // MatMul (or a Gemm with a broadcast bias): add the shift after it.
                    String raw = g.fresh(d.output() + "_pruned");
                    node.setOutput(0, raw);
                    String c =
                            g.addInitializer(
                                    Tensors.floats(
                                            g.fresh(d.weight + "_compensation"),
                                            new long[] {width},
                                            add));
                    nodes.add(node.build());
                    nodes.add(
                            GraphEditor.node(
                                    "Add",
                                    g.fresh(d.output() + "_compensation"),
                                    List.of(raw, c),
                                    List.of(d.output())));
                    g.replaceNode(d.index, nodes);
                    continue;
                }
            }
            nodes.add(node.build());
            g.replaceNode(d.index, nodes);
        }
        return new Variant(
                String.format(Locale.ROOT, "prune-n%02d", Math.round(fraction * 100)),
                "prune",
                params,
                g.build().toByteArray(),
                notes);
    }

    /**
     * Hidden layers whose neurons can go: the first layer is a Gemm with a 1-D bias (or none), its
     * output feeds only an element-wise activation, whose output feeds only the next dense layer,
     * and no weight is shared with another layer.
     */
    private static List<Hidden> hiddenLayers(GraphEditor g, List<Layers.Dense> dense) {
        Map<String, Integer> consumers = g.consumerCounts();
        Map<String, Integer> weightUses = new LinkedHashMap<>();
        for (Layers.Dense d : dense) {
            weightUses.merge(d.weight, 1, Integer::sum);
            if (d.bias != null) {
                weightUses.merge(d.bias, 1, Integer::sum);
            }
        }
        List<OnnxMl.NodeProto> nodes = g.originalNodes();
        List<Hidden> out = new ArrayList<>();
        for (Layers.Dense d : dense) {
            if (!d.isGemm()
                    || consumers.getOrDefault(d.output(), 0) != 1
                    || weightUses.get(d.weight) != 1) {
                continue;
            }
            if (d.bias != null
                    && (g.initializer(d.bias).getDimsCount() != 1 || weightUses.get(d.bias) != 1)) {
                continue;
            }
            OnnxMl.NodeProto act = null;
            for (OnnxMl.NodeProto n : nodes) {
                if (n.getInputList().contains(d.output())) {
                    act = n;
                }
            }
            if (act == null
                    || !ELEMENTWISE.contains(act.getOpType())
                    || act.getOutputCount() != 1) {
                continue;
            }
            String h = act.getOutput(0);
            if (consumers.getOrDefault(h, 0) != 1) {
                continue;
            }
            for (Layers.Dense next : dense) {
                if (next.input.equals(h) && weightUses.get(next.weight) == 1 && next.k == d.n) {
                    out.add(new Hidden(d, next));
                }
            }
        }
        return out;
    }

    private static int[] identity(int n) {
        int[] r = new int[n];
        for (int i = 0; i < n; i++) {
            r[i] = i;
        }
        return r;
    }
}
