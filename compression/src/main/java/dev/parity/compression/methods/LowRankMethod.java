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
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.SingularOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.SingularValueDecomposition_F64;

/**
 * Low-rank factorisation: each dense weight W [k, n] becomes A [k, r] x B [r, n] from its truncated
 * SVD (A = U_r S_r, B = V_r^T), so {@code Gemm(x, W, b)} becomes {@code MatMul(x, A)} then {@code
 * Gemm(., B, b)}. The rank is the smallest that keeps the given share of the spectral energy (sum
 * of squared singular values), or the largest whose factors fit a target share of the layer's
 * parameters. A layer is only factorised when {@code r (k + n) < k n}, i.e. when it gets smaller.
 */
public final class LowRankMethod implements CompressionMethod {
    private final double[] energies;
    private final double[] targetSizes;

    public LowRankMethod(double[] energies, double[] targetSizes) {
        for (double e : energies) {
            if (!(e > 0 && e <= 1)) {
                throw new IllegalArgumentException("energy must be in (0, 1], got " + e);
            }
        }
        for (double t : targetSizes) {
            if (!(t > 0 && t < 1)) {
                throw new IllegalArgumentException("target size must be in (0, 1), got " + t);
            }
        }
        this.energies = energies.clone();
        this.targetSizes = targetSizes.clone();
    }

    public LowRankMethod() {
        this(new double[] {0.90, 0.95, 0.99}, new double[] {0.5});
    }

    @Override
    public String name() {
        return "lowrank";
    }

    @Override
    public List<Variant> apply(MethodContext ctx) throws MethodSkippedException {
        GraphEditor probe = GraphEditor.of(ctx.teacher());
        List<String> notes = new ArrayList<>();
        List<Layers.Dense> dense = Layers.dense(probe, notes);
        List<Layers.Conv> convs = Layers.convs(probe, notes);
        if (dense.isEmpty() && convs.isEmpty()) {
            throw new MethodSkippedException("no Gemm, MatMul or Conv with a constant weight");
        }
        Map<String, Svd> svds = new LinkedHashMap<>();
        for (Layers.Dense d : dense) {
            svds.computeIfAbsent(d.weight, w -> Svd.of(d.weightKn(probe), d.k, d.n));
        }
        List<Variant> out = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        if (!convs.isEmpty()) {
            DepthwiseSeparable.variants(ctx.teacher(), energies, out, skipped);
        }
        for (double e : dense.isEmpty() ? new double[0] : energies) {
            String suffix = String.format(Locale.ROOT, "lowrank-e%02d", Math.round(e * 100));
            Variant v = factorise(ctx.teacher(), svds, true, e, suffix, notes);
            if (v == null) {
                skipped.add(suffix + ": no layer gets smaller at energy " + e);
            } else {
                out.add(v);
            }
        }
        for (double t : dense.isEmpty() ? new double[0] : targetSizes) {
            String suffix = String.format(Locale.ROOT, "lowrank-t%02d", Math.round(t * 100));
            Variant v = factorise(ctx.teacher(), svds, false, t, suffix, notes);
            if (v == null) {
                skipped.add(suffix + ": no layer has a rank >= 1 within " + t + " of its size");
            } else {
                out.add(v);
            }
        }
        if (out.isEmpty()) {
            throw new MethodSkippedException(String.join("; ", skipped));
        }
        List<Variant> annotated = new ArrayList<>();
        for (Variant v : out) {
            List<String> n = new ArrayList<>(v.notes());
            n.addAll(skipped);
            annotated.add(new Variant(v.suffix(), v.method(), v.parameters(), v.onnx(), n));
        }
        return annotated;
    }

    /** Rank keeping {@code energy} of the squared singular values. */
    public static int rankForEnergy(double[] singular, double energy) {
        double total = 0;
        for (double s : singular) {
            total += s * s;
        }
        double acc = 0;
        for (int r = 0; r < singular.length; r++) {
            acc += singular[r] * singular[r];
            if (acc >= energy * total * (1 - 1e-12)) {
                return r + 1;
            }
        }
        return singular.length;
    }

    /**
     * Largest rank whose factors hold at most {@code share} of the k x n parameters (0 if none).
     */
    public static int rankForSize(int k, int n, double share) {
        return (int) Math.floor(share * k * n / (k + n));
    }

    private static Variant factorise(
            OnnxMl.ModelProto teacher,
            Map<String, Svd> svds,
            boolean byEnergy,
            double value,
            String suffix,
            List<String> baseNotes) {
        GraphEditor g = GraphEditor.of(teacher);
        List<String> notes = new ArrayList<>(baseNotes);
        Map<String, String> params = new LinkedHashMap<>();
        params.put(byEnergy ? "energy" : "target_size", Double.toString(value));
        int factorised = 0;
        for (Layers.Dense d : Layers.dense(g, new ArrayList<>())) {
            Svd svd = svds.get(d.weight);
            int r =
                    byEnergy
                            ? rankForEnergy(svd.s, value)
                            : Math.min(rankForSize(d.k, d.n, value), svd.s.length);
            String layer = Layers.describe(d.node);
            if (r < 1 || (long) r * (d.k + d.n) >= (long) d.k * d.n) {
                notes.add(
                        layer
                                + " "
                                + d.k
                                + "x"
                                + d.n
                                + " kept dense (rank "
                                + r
                                + " would not be smaller)");
                continue;
            }
            params.put("rank." + d.weight, r + " of " + Math.min(d.k, d.n));
            float[][] ab = svd.factors(r);
            String base = d.node.getName().isEmpty() ? d.output() : d.node.getName();
            String a =
                    g.addInitializer(
                            Tensors.floats(g.fresh(d.weight + "_A"), new long[] {d.k, r}, ab[0]));
            String b =
                    g.addInitializer(
                            Tensors.floats(g.fresh(d.weight + "_B"), new long[] {r, d.n}, ab[1]));
            String mid = g.fresh(base + "_lowrank");
            List<OnnxMl.NodeProto> nodes = new ArrayList<>();
            nodes.add(
                    GraphEditor.node(
                            "MatMul",
                            g.fresh(base + "_lowrank_A"),
                            List.of(d.input, a),
                            List.of(mid)));
            if (d.isGemm()) {
                OnnxMl.NodeProto.Builder gemm = d.node.toBuilder().setInput(0, mid).setInput(1, b);
                gemm.clearAttribute();
                for (OnnxMl.AttributeProto at : d.node.getAttributeList()) {
                    if (!at.getName().equals("transB")) {
                        gemm.addAttribute(at);
                    }
                }
                nodes.add(gemm.build());
            } else {
                nodes.add(d.node.toBuilder().setInput(0, mid).setInput(1, b).build());
            }
            g.replaceNode(d.index, nodes);
            factorised++;
        }
        if (factorised == 0) {
            return null;
        }
        params.put("factorised_layers", Integer.toString(factorised));
        return new Variant(suffix, "lowrank", params, g.build().toByteArray(), notes);
    }

    /** A thin SVD of a [k, n] matrix with singular values in descending order. */
    static final class Svd {
        final DMatrixRMaj u; // [k, m]
        final double[] s; // m = min(k, n)
        final DMatrixRMaj vt; // [m, n]

        private Svd(DMatrixRMaj u, double[] s, DMatrixRMaj vt) {
            this.u = u;
            this.s = s;
            this.vt = vt;
        }

        static Svd of(float[] w, int k, int n) {
            DMatrixRMaj m = new DMatrixRMaj(k, n);
            for (int i = 0; i < w.length; i++) {
                m.data[i] = w[i];
            }
            SingularValueDecomposition_F64<DMatrixRMaj> svd =
                    DecompositionFactory_DDRM.svd(k, n, true, true, true);
            if (!svd.decompose(m)) {
                throw new IllegalStateException("SVD did not converge");
            }
            DMatrixRMaj u = svd.getU(null, false);
            DMatrixRMaj sigma = svd.getW(null);
            DMatrixRMaj vt = svd.getV(null, true);
            SingularOps_DDRM.descendingOrder(u, false, sigma, vt, true);
            int mm = Math.min(k, n);
            double[] s = new double[mm];
            for (int i = 0; i < mm; i++) {
                s[i] = sigma.get(i, i);
            }
            return new Svd(u, s, vt);
        }

        /** A = U_r S_r [k, r] and B = V_r^T [r, n], row-major floats. */
        float[][] factors(int r) {
            int k = u.numRows;
            int n = vt.numCols;
            DMatrixRMaj a = CommonOps_DDRM.extract(u, 0, k, 0, r);
            for (int i = 0; i < k; i++) {
                for (int j = 0; j < r; j++) {
                    a.set(i, j, a.get(i, j) * s[j]);
                }
            }
            DMatrixRMaj b = CommonOps_DDRM.extract(vt, 0, r, 0, n);
            float[] af = new float[k * r];
            for (int i = 0; i < af.length; i++) {
                af[i] = (float) a.data[i];
            }
            float[] bf = new float[r * n];
            for (int i = 0; i < bf.length; i++) {
                bf[i] = (float) b.data[i];
            }
            return new float[][] {af, bf};
        }
    }
}
