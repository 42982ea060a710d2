package dev.parity.compression.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Inputs to feed a model: real rows (a training file's features, imputed) for a model with a
 * manifest, or generated values of the declared shapes for a bare third-party model (dynamic
 * dimensions: the first is the batch, any other becomes {@link #DYNAMIC_DIM}).
 */
public final class ModelInputs {
    /** Size given to a dynamic dimension other than the batch. */
    public static final int DYNAMIC_DIM = 8;

    /** A float input tensor; {@code -1} marks a dynamic dimension. */
    public static final class Spec {
        public final String name;
        public final long[] shape;

        public Spec(String name, long[] shape) {
            this.name = name;
            this.shape = shape.clone();
        }
    }

    /** One batch: values and shape per input name. */
    public static final class Batch {
        public final int rows;
        public final Map<String, float[]> values = new LinkedHashMap<>();
        public final Map<String, long[]> shapes = new LinkedHashMap<>();

        Batch(int rows) {
            this.rows = rows;
        }
    }

    private final List<Spec> specs;
    private final float[] rows; // row-major for the single input; null when generated
    private final int arity;
    private final long seed;
    private final float[] center;
    private final float[] spread;
    private final String description;

    private ModelInputs(
            List<Spec> specs,
            float[] rows,
            int arity,
            long seed,
            float[] center,
            float[] spread,
            String description) {
        this.specs = List.copyOf(specs);
        this.rows = rows;
        this.arity = arity;
        this.seed = seed;
        this.center = center;
        this.spread = spread;
        this.description = description;
    }

    /** Real rows for a single [batch, arity] input, already imputed. */
    public static ModelInputs ofRows(String input, int arity, float[] rows, String description) {
        if (rows.length % arity != 0 || rows.length == 0) {
            throw new IllegalArgumentException("need a non-empty whole number of rows");
        }
        return new ModelInputs(
                List.of(new Spec(input, new long[] {-1, arity})),
                rows,
                arity,
                0,
                null,
                null,
                description);
    }

    /** Standard-normal values for every input. */
    public static ModelInputs generated(List<Spec> specs, long seed) {
        return new ModelInputs(specs, null, 0, seed, null, null, "generated N(0,1) inputs");
    }

    /**
     * Values around a centre with a spread per column, for a single [batch, arity] input (a model
     * with a manifest but no training file: centre = imputation defaults).
     */
    public static ModelInputs generatedAround(
            String input, float[] center, float[] spread, long seed) {
        return new ModelInputs(
                List.of(new Spec(input, new long[] {-1, center.length})),
                null,
                center.length,
                seed,
                center.clone(),
                spread.clone(),
                "generated inputs around the manifest defaults");
    }

    public List<Spec> specs() {
        return specs;
    }

    public String description() {
        return description;
    }

    public boolean fromData() {
        return rows != null;
    }

    /** Rows available (real data), or {@code Integer.MAX_VALUE} for generated inputs. */
    public int availableRows() {
        return rows == null ? Integer.MAX_VALUE : rows.length / arity;
    }

    /**
     * The batch size a model accepts when asked for {@code wanted} rows: {@code wanted} when the
     * first dimension of every input is dynamic, else the fixed size.
     */
    public int batchRows(int wanted) {
        for (Spec s : specs) {
            if (s.shape.length > 0 && s.shape[0] > 0) {
                return (int) s.shape[0];
            }
        }
        return wanted;
    }

    /** Rows {@code [start, start + n)} (real data), or generated batch number {@code start}. */
    public Batch batch(int start, int n) {
        int count = batchRows(n);
        Batch b = new Batch(count);
        if (rows != null) {
            if (start < 0 || start + count > availableRows()) {
                throw new IllegalArgumentException(
                        "rows " + start + ".." + (start + count) + " of " + availableRows());
            }
            Spec s = specs.get(0);
            b.values.put(s.name, Arrays.copyOfRange(rows, start * arity, (start + count) * arity));
            b.shapes.put(s.name, new long[] {count, arity});
            return b;
        }
        SplittableRandom random = new SplittableRandom(seed * 1_000_003L + start);
        for (Spec s : specs) {
            long[] shape = new long[s.shape.length];
            long size = 1;
            for (int i = 0; i < shape.length; i++) {
                shape[i] = s.shape[i] > 0 ? s.shape[i] : (i == 0 ? count : DYNAMIC_DIM);
                size *= shape[i];
            }
            float[] v = new float[Math.toIntExact(size)];
            for (int i = 0; i < v.length; i++) {
                double g = gaussian(random);
                if (center != null) {
                    int col = i % center.length;
                    v[i] = (float) (center[col] + spread[col] * g);
                } else {
                    v[i] = (float) g;
                }
            }
            b.values.put(s.name, v);
            b.shapes.put(s.name, shape);
        }
        return b;
    }

    /** Consecutive batches covering {@code total} rows (real data: capped at what exists). */
    public List<Batch> batches(int total, int batchSize) {
        List<Batch> out = new ArrayList<>();
        int limit = Math.min(total, availableRows());
        int step = batchRows(batchSize);
        for (int start = 0; start < limit; start += step) {
            int n = Math.min(step, limit - start);
            if (rows == null) {
                out.add(batch(out.size(), n));
            } else {
                out.add(batch(start, n));
            }
            if (rows == null && step != batchSize && out.size() * step >= limit) {
                break;
            }
        }
        return out;
    }

    private static double gaussian(SplittableRandom r) {
        double u1 = 1.0 - r.nextDouble();
        double u2 = r.nextDouble();
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }
}
