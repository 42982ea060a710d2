package dev.parity.compression.methods;

import ai.onnx.proto.OnnxMl;
import dev.parity.compression.onnx.GraphEditor;
import dev.parity.compression.onnx.Layers;
import dev.parity.compression.onnx.Tensors;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.SingularOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.SingularValueDecomposition_F64;

/**
 * Depthwise-separable factorisation of a {@code KxK} convolution, the low-rank method's form for
 * Conv layers. For each input channel {@code i} the weights {@code W[:, i, :, :]} form a {@code
 * C_out x (K K)} matrix; its rank-{@code r} SVD {@code sum_j s_j u_j v_j^T} gives {@code r} spatial
 * filters {@code v_j} (a depthwise Conv, {@code group = C_in}, {@code C_in r} outputs) and the
 * mixing weights {@code s_j u_j} (a pointwise 1x1 Conv carrying the bias):
 *
 * <pre>
 *   Conv(x, W[C_out, C_in, K, K], b)  ->  Conv_1x1(Conv_depthwise(x, D[C_in r, 1, K, K]), P[C_out, C_in r, 1, 1], b)
 * </pre>
 *
 * Exact at {@code r = min(C_out, K K)}; {@code r = 1} is the classic depthwise-separable layer. A
 * layer is rewritten only when it gets smaller: {@code C_in r (K K + C_out) < C_out C_in K K}.
 */
final class DepthwiseSeparable {
    private DepthwiseSeparable() {}

    /** Per input channel: singular values (descending) and the factors. */
    static final class Factors {
        final int cout;
        final int cin;
        final int spatial;
        final double[][] s; // [cin][m]
        final DMatrixRMaj[] u; // [cin] cout x m
        final DMatrixRMaj[] vt; // [cin] m x spatial

        Factors(int cout, int cin, int spatial) {
            this.cout = cout;
            this.cin = cin;
            this.spatial = spatial;
            this.s = new double[cin][];
            this.u = new DMatrixRMaj[cin];
            this.vt = new DMatrixRMaj[cin];
        }

        int maxRank() {
            return Math.min(cout, spatial);
        }

        /** Smallest uniform rank keeping {@code energy} of the layer's squared singular values. */
        int rankForEnergy(double energy) {
            double total = 0;
            for (double[] sv : s) {
                for (double x : sv) {
                    total += x * x;
                }
            }
            for (int r = 1; r <= maxRank(); r++) {
                double kept = 0;
                for (double[] sv : s) {
                    for (int j = 0; j < r; j++) {
                        kept += sv[j] * sv[j];
                    }
                }
                if (kept >= energy * total * (1 - 1e-12)) {
                    return r;
                }
            }
            return maxRank();
        }

        /** Depthwise weights [cin r, 1, spatial] and pointwise weights [cout, cin r], row-major. */
        float[][] weights(int r) {
            float[] d = new float[cin * r * spatial];
            float[] p = new float[cout * cin * r];
            for (int i = 0; i < cin; i++) {
                for (int j = 0; j < r; j++) {
                    for (int k = 0; k < spatial; k++) {
                        d[(i * r + j) * spatial + k] = (float) vt[i].get(j, k);
                    }
                    for (int o = 0; o < cout; o++) {
                        p[o * cin * r + i * r + j] = (float) (s[i][j] * u[i].get(o, j));
                    }
                }
            }
            return new float[][] {d, p};
        }

        long parameters(int r) {
            return (long) cin * r * (spatial + cout);
        }
    }

    /** SVDs of every input channel's {@code C_out x K K} slice of {@code w[C_out, C_in, K...]}. */
    static Factors factor(float[] w, long[] dims) {
        int cout = (int) dims[0];
        int cin = (int) dims[1];
        int spatial = 1;
        for (int k = 2; k < dims.length; k++) {
            spatial *= (int) dims[k];
        }
        Factors f = new Factors(cout, cin, spatial);
        for (int i = 0; i < cin; i++) {
            DMatrixRMaj m = new DMatrixRMaj(cout, spatial);
            for (int o = 0; o < cout; o++) {
                for (int k = 0; k < spatial; k++) {
                    m.set(o, k, w[(o * cin + i) * spatial + k]);
                }
            }
            SingularValueDecomposition_F64<DMatrixRMaj> svd =
                    DecompositionFactory_DDRM.svd(cout, spatial, true, true, true);
            if (!svd.decompose(m)) {
                throw new IllegalStateException("SVD did not converge");
            }
            DMatrixRMaj u = svd.getU(null, false);
            DMatrixRMaj sigma = svd.getW(null);
            DMatrixRMaj vt = svd.getV(null, true);
            SingularOps_DDRM.descendingOrder(u, false, sigma, vt, true);
            int mm = Math.min(cout, spatial);
            f.s[i] = new double[mm];
            for (int j = 0; j < mm; j++) {
                f.s[i][j] = sigma.get(j, j);
            }
            f.u[i] = u;
            f.vt[i] = vt;
        }
        return f;
    }

    /** Appends a rank-1 variant and one per energy to {@code out}, or says why not. */
    static void variants(
            OnnxMl.ModelProto teacher, double[] energies, List<Variant> out, List<String> skipped) {
        GraphEditor probe = GraphEditor.of(teacher);
        List<String> notes = new ArrayList<>();
        Map<String, Factors> factors = new LinkedHashMap<>();
        for (Layers.Conv c : Layers.convs(probe, notes)) {
            String why = unsupported(c);
            if (why == null) {
                factors.computeIfAbsent(
                        c.weight, w -> factor(Tensors.floats(probe.initializer(w)), c.weightDims));
            }
        }
        if (factors.isEmpty()) {
            skipped.add("depthwise-separable: no Conv with group 1 and a kernel larger than 1x1");
            return;
        }
        Variant r1 = rewrite(teacher, factors, 1, "lowrank-dw-r1", notes);
        if (r1 != null) {
            out.add(r1);
        } else {
            skipped.add("lowrank-dw-r1: no Conv gets smaller at rank 1");
        }
        for (double e : energies) {
            String suffix = String.format(Locale.ROOT, "lowrank-dw-e%02d", Math.round(e * 100));
            Variant v = rewrite(teacher, factors, -e, suffix, notes);
            if (v != null) {
                out.add(v);
            } else {
                skipped.add(suffix + ": no Conv gets smaller at energy " + e);
            }
        }
    }

    /** Why a Conv is left dense, or null. */
    static String unsupported(Layers.Conv c) {
        if (GraphEditor.attrInt(c.node, "group", 1) != 1) {
            return "grouped";
        }
        if (c.weightDims.length < 3) {
            return "no spatial kernel";
        }
        long spatial = 1;
        for (int k = 2; k < c.weightDims.length; k++) {
            spatial *= c.weightDims[k];
        }
        if (spatial <= 1) {
            return "1x1 kernel";
        }
        return null;
    }

    /**
     * The model with every supported Conv factorised at rank {@code rank} (> 0), or at the rank
     * keeping {@code -rank} of its energy (< 0); null when no layer gets smaller.
     */
    static Variant rewrite(
            OnnxMl.ModelProto teacher,
            Map<String, Factors> factors,
            double rank,
            String suffix,
            List<String> baseNotes) {
        GraphEditor g = GraphEditor.of(teacher);
        List<String> notes = new ArrayList<>(baseNotes);
        Map<String, String> params = new LinkedHashMap<>();
        params.put("form", "depthwise KxK (group C_in, C_in r outputs) + pointwise 1x1");
        if (rank > 0) {
            params.put("rank", Integer.toString((int) rank));
        } else {
            params.put("energy", Double.toString(-rank));
        }
        int done = 0;
        for (Layers.Conv c : Layers.convs(g, new ArrayList<>())) {
            Factors f = factors.get(c.weight);
            String layer = Layers.describe(c.node);
            if (f == null) {
                notes.add(layer + " kept (" + unsupported(c) + ")");
                continue;
            }
            int r = rank > 0 ? Math.min((int) rank, f.maxRank()) : f.rankForEnergy(-rank);
            long before = (long) f.cout * f.cin * f.spatial;
            if (f.parameters(r) >= before) {
                notes.add(
                        layer
                                + " kept (rank "
                                + r
                                + " of "
                                + f.maxRank()
                                + " would not be smaller)");
                continue;
            }
            params.put("rank." + c.weight, r + " of " + f.maxRank());
            float[][] dp = f.weights(r);
            long[] ddims = c.weightDims.clone();
            ddims[0] = (long) f.cin * r;
            ddims[1] = 1;
            long[] pdims = new long[c.weightDims.length];
            java.util.Arrays.fill(pdims, 1);
            pdims[0] = f.cout;
            pdims[1] = (long) f.cin * r;
            String base = c.node.getName().isEmpty() ? c.node.getOutput(0) : c.node.getName();
            String d =
                    g.addInitializer(
                            Tensors.floats(g.fresh(c.weight + "_depthwise"), ddims, dp[0]));
            String p =
                    g.addInitializer(
                            Tensors.floats(g.fresh(c.weight + "_pointwise"), pdims, dp[1]));
            String mid = g.fresh(base + "_depthwise_output");
            OnnxMl.NodeProto.Builder dw =
                    GraphEditor.node(
                            "Conv",
                            g.fresh(base + "_depthwise"),
                            List.of(c.node.getInput(0), d),
                            List.of(mid))
                            .toBuilder();
            for (OnnxMl.AttributeProto a : c.node.getAttributeList()) {
                if (!a.getName().equals("group")) {
                    dw.addAttribute(a);
                }
            }
            dw.addAttribute(GraphEditor.intAttr("group", f.cin));
            List<String> pwInputs = new ArrayList<>(List.of(mid, p));
            if (c.bias != null) {
                pwInputs.add(c.bias);
            }
            OnnxMl.NodeProto pw =
                    GraphEditor.node(
                            "Conv",
                            g.fresh(base + "_pointwise"),
                            pwInputs,
                            List.of(c.node.getOutput(0)));
            g.replaceNode(c.index, List.of(dw.build(), pw));
            done++;
        }
        if (done == 0) {
            return null;
        }
        params.put("factorised_convs", Integer.toString(done));
        return new Variant(suffix, "lowrank", params, g.build().toByteArray(), notes);
    }
}
