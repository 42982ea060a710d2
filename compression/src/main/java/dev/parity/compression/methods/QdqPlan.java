package dev.parity.compression.methods;

import ai.onnx.proto.OnnxMl;
import dev.parity.compression.onnx.GraphEditor;
import dev.parity.compression.onnx.Layers;
import dev.parity.compression.onnx.Tensors;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where a static QDQ model quantises its activations, decided once from the graph, before
 * calibration. ONNX Runtime only turns a {@code Conv} into {@code QLinearConv} when both its input
 * and its output pass through Q/DQ ({@code DQ -> Conv -> Q}); a Conv whose output stays float runs
 * as a float Conv on dequantised weights, no faster than the teacher. So, walking the nodes in
 * order:
 *
 * <ul>
 *   <li>every Gemm/MatMul/Conv input is quantised (once per tensor);
 *   <li>a Conv's output is quantised, and so is the output of an operator ONNX Runtime has a
 *       QLinear kernel for ({@code LeakyRelu}, {@code Sigmoid}, {@code AveragePool}, {@code
 *       GlobalAveragePool}) when its input is quantised;
 *   <li>a clamp right behind such an output ({@code Relu}, {@code Max} with a scalar constant
 *       {@code <= 0}, {@code Clip} with constant bounds {@code min <= 0}) is removed and done by
 *       the Q instead: its range starts exactly at the clamp's bound, where the Q saturates;
 *   <li>operators that only move values ({@code MaxPool}, {@code Reshape}, {@code Flatten}, {@code
 *       Transpose}, {@code Squeeze}, {@code Unsqueeze}) on a quantised tensor get a Q/DQ with the
 *       same scale and zero point, which ONNX Runtime drops to run them on uint8;
 *   <li>graph outputs are never quantised (a regression output or an embedding would lose its
 *       resolution), and Gemm/MatMul outputs stay float (ONNX Runtime's integer kernels with a
 *       float output are what makes the dense layers fast already).
 * </ul>
 */
final class QdqPlan {
    static final Set<String> QLINEAR_UNARY =
            Set.of("LeakyRelu", "Sigmoid", "AveragePool", "GlobalAveragePool");
    static final Set<String> VALUE_PRESERVING =
            Set.of("MaxPool", "Reshape", "Flatten", "Transpose", "Squeeze", "Unsqueeze");

    enum Kind {
        /** A tensor no planned node produces: Q/DQ inserted before its first planned reader. */
        INPUT,
        /** The output of a planned node (after the clamps folded into it). */
        OUTPUT,
        /** The output of a value-preserving node: the parameters of its input. */
        SAME
    }

    /** One quantised tensor. */
    static final class Point {
        final Kind kind;

        /** The tensor readers see (after folding: the last clamp's output). */
        final String tensor;

        /** The node that writes it (OUTPUT, SAME), or -1. */
        final int producer;

        /** A fixed lower bound from a folded clamp, or null. */
        final Float fixedLo;

        /** A fixed upper bound from a folded clamp, or null. */
        final Float fixedHi;

        /** For SAME: the point whose parameters it shares. */
        final Point source;

        /** Folded clamp nodes, removed from the graph. */
        final List<Integer> removed;

        Point(
                Kind kind,
                String tensor,
                int producer,
                Float fixedLo,
                Float fixedHi,
                Point source,
                List<Integer> removed) {
            this.kind = kind;
            this.tensor = tensor;
            this.producer = producer;
            this.fixedLo = fixedLo;
            this.fixedHi = fixedHi;
            this.source = source;
            this.removed = List.copyOf(removed);
        }

        /** The point that owns the scale and zero point. */
        Point root() {
            return source == null ? this : source.root();
        }
    }

    final Map<String, Point> points = new LinkedHashMap<>();
    final Map<Integer, Layers.Dense> dense = new HashMap<>();
    final Map<Integer, Layers.Conv> convs = new HashMap<>();

    /** Nodes whose data input 0 must read the dequantised tensor. */
    final Set<Integer> readers = new LinkedHashSet<>();

    private final List<OnnxMl.NodeProto> nodes;
    private final Map<String, List<Integer>> consumers = new HashMap<>();
    private final Set<String> graphOutputs = new HashSet<>();
    private final GraphEditor g;

    private QdqPlan(GraphEditor g) {
        this.g = g;
        this.nodes = g.originalNodes();
        for (int i = 0; i < nodes.size(); i++) {
            for (String in : nodes.get(i).getInputList()) {
                consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(i);
            }
        }
        for (OnnxMl.ValueInfoProto v : g.original().getGraph().getOutputList()) {
            graphOutputs.add(v.getName());
        }
    }

    static QdqPlan of(GraphEditor g) {
        return of(g, Set.of());
    }

    /** The plan with the Conv nodes at {@code floatConvs} (node indices) left in float. */
    static QdqPlan of(GraphEditor g, Set<Integer> floatConvs) {
        QdqPlan p = new QdqPlan(g);
        List<String> ignored = new ArrayList<>();
        for (Layers.Dense d : Layers.dense(g, ignored)) {
            p.dense.put(d.index, d);
        }
        for (Layers.Conv c : Layers.convs(g, ignored)) {
            if (!floatConvs.contains(c.index)) {
                p.convs.put(c.index, c);
            }
        }
        p.walk();
        return p;
    }

    /** The tensors whose ranges calibration must observe. */
    Set<String> calibrated() {
        Set<String> out = new LinkedHashSet<>();
        for (Point pt : points.values()) {
            if (pt.kind != Kind.SAME && !(pt.fixedLo != null && pt.fixedHi != null)) {
                out.add(pt.tensor);
            }
        }
        return out;
    }

    private void walk() {
        Set<Integer> removed = new HashSet<>();
        for (int i = 0; i < nodes.size(); i++) {
            if (removed.contains(i)) {
                continue;
            }
            OnnxMl.NodeProto n = nodes.get(i);
            String op = n.getOpType();
            boolean std = n.getDomain().isEmpty() || n.getDomain().equals("ai.onnx");
            if (!std) {
                continue;
            }
            if (dense.containsKey(i) || convs.containsKey(i)) {
                input(n.getInput(0), i);
                if (convs.containsKey(i)) {
                    output(i, removed);
                }
            } else if (QLINEAR_UNARY.contains(op)
                    && n.getOutputCount() == 1
                    && points.containsKey(n.getInput(0))) {
                readers.add(i);
                output(i, removed);
            } else if (VALUE_PRESERVING.contains(op)
                    && n.getOutputCount() == 1
                    && points.containsKey(n.getInput(0))
                    && !graphOutputs.contains(n.getOutput(0))) {
                readers.add(i);
                Point src = points.get(n.getInput(0));
                points.put(
                        n.getOutput(0),
                        new Point(
                                Kind.SAME, n.getOutput(0), i, null, null, src, new ArrayList<>()));
            }
        }
    }

    private void input(String tensor, int reader) {
        readers.add(reader);
        points.computeIfAbsent(
                tensor, t -> new Point(Kind.INPUT, t, -1, null, null, null, new ArrayList<>()));
    }

    /** Plans the Q after node {@code i}, folding the clamps that follow it. */
    private void output(int i, Set<Integer> removedNodes) {
        String target = nodes.get(i).getOutput(0);
        Float lo = null;
        Float hi = null;
        List<Integer> removed = new ArrayList<>();
        while (!graphOutputs.contains(target)) {
            List<Integer> cs = consumers.getOrDefault(target, List.of());
            if (cs.size() != 1) {
                break;
            }
            float[] clamp = clampOf(nodes.get(cs.get(0)), target);
            if (clamp == null) {
                break;
            }
            float newLo = lo == null ? clamp[0] : Math.max(lo, clamp[0]);
            float newHi = hi == null ? clamp[1] : Math.min(hi, clamp[1]);
            // Both ends exact only when the low one is 0 (zero point 0); else fold lows only.
            if (newLo > 0 || (Float.isFinite(newHi) && (newLo != 0 || newHi <= 0))) {
                break;
            }
            lo = newLo;
            hi = Float.isFinite(newHi) ? newHi : null;
            removed.add(cs.get(0));
            target = nodes.get(cs.get(0)).getOutput(0);
        }
        if (reachesGraphOutput(target)) {
            return; // stays float; nothing folded
        }
        if (lo == null) {
            lo = clampThroughLeakyRelu(target);
        }
        removedNodes.addAll(removed);
        points.put(target, new Point(Kind.OUTPUT, target, i, lo, hi, null, removed));
    }

    /**
     * {@code Max(LeakyRelu(x), c)} with {@code c < 0} equals {@code Max(LeakyRelu(max(x, c /
     * alpha)), c)}: LeakyRelu is increasing, so values of {@code x} below {@code c / alpha} are
     * clamped anyway, and the range of {@code x} may start there. For a Conv before such an
     * activation (the speech-embedding CNN of docs/BENCHMARKS.md) this halves the quantisation step
     * of its output. Null when the pattern does not apply.
     */
    private Float clampThroughLeakyRelu(String t) {
        List<Integer> cs = consumers.getOrDefault(t, List.of());
        if (cs.size() != 1) {
            return null;
        }
        OnnxMl.NodeProto lr = nodes.get(cs.get(0));
        if (!lr.getOpType().equals("LeakyRelu") || graphOutputs.contains(lr.getOutput(0))) {
            return null;
        }
        float alpha = GraphEditor.attrFloat(lr, "alpha", 0.01f);
        List<Integer> next = consumers.getOrDefault(lr.getOutput(0), List.of());
        if (!(alpha > 0) || next.size() != 1) {
            return null;
        }
        float[] clamp = clampOf(nodes.get(next.get(0)), lr.getOutput(0));
        if (clamp == null || !(clamp[0] < 0)) {
            return null;
        }
        return clamp[0] / alpha;
    }

    /**
     * True when {@code t} is a graph output, unused, or only moved into a graph output by
     * value-preserving operators (a reshaped embedding is still the model's output).
     */
    private boolean reachesGraphOutput(String t) {
        while (true) {
            if (graphOutputs.contains(t)) {
                return true;
            }
            List<Integer> cs = consumers.getOrDefault(t, List.of());
            if (cs.isEmpty()) {
                return true;
            }
            if (cs.size() != 1) {
                return false;
            }
            OnnxMl.NodeProto n = nodes.get(cs.get(0));
            if (!VALUE_PRESERVING.contains(n.getOpType())
                    || n.getOutputCount() != 1
                    || !n.getInput(0).equals(t)) {
                return false;
            }
            t = n.getOutput(0);
        }
    }

    /**
     * {lo, hi} when {@code n} only clamps {@code input} to constant bounds (hi may be +inf), else
     * null.
     */
    private float[] clampOf(OnnxMl.NodeProto n, String input) {
        if (!(n.getDomain().isEmpty() || n.getDomain().equals("ai.onnx"))
                || n.getOutputCount() != 1) {
            return null;
        }
        switch (n.getOpType()) {
            case "Relu":
                return new float[] {0f, Float.POSITIVE_INFINITY};
            case "Max":
                {
                    if (n.getInputCount() != 2) {
                        return null;
                    }
                    String other = n.getInput(0).equals(input) ? n.getInput(1) : n.getInput(0);
                    Float c = scalar(other);
                    return c == null ? null : new float[] {c, Float.POSITIVE_INFINITY};
                }
            case "Clip":
                {
                    if (!n.getInput(0).equals(input)) {
                        return null;
                    }
                    Float min = n.getInputCount() > 1 ? scalar(n.getInput(1)) : null;
                    boolean hasMax = n.getInputCount() > 2 && !n.getInput(2).isEmpty();
                    Float max = hasMax ? scalar(n.getInput(2)) : null;
                    if (min == null || (hasMax && max == null)) {
                        return null;
                    }
                    return new float[] {min, max == null ? Float.POSITIVE_INFINITY : max};
                }
            default:
                return null;
        }
    }

    /** The value of a constant float initializer holding one element, else null. */
    private Float scalar(String name) {
        OnnxMl.TensorProto t = g.initializer(name);
        if (t == null || !Tensors.isFloat(t) || Tensors.numel(t) != 1) {
            return null;
        }
        return Tensors.floats(t)[0];
    }
}
