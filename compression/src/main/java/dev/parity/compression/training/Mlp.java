package dev.parity.compression.training;

import java.util.ArrayList;
import java.util.List;

/**
 * The weights of an exported MLP in plain arrays: preprocessing, then dense layers {@code h W + b}
 * with {@code W} stored [in, out] row-major exactly as in the ONNX {@code Gemm}, each followed by a
 * ReLU or not. This is what {@link MlpOnnx} writes and reads and what {@link DjlMlpTrainer} trains,
 * so ONNX and DJL never exchange anything but these arrays.
 *
 * <p>A layer without ReLU before another layer is a factorised dense layer ({@code W ~ U V}, as
 * low-rank compression writes it); it trains like any other layer.
 */
public final class Mlp {
    private final String inputName;
    private final String outputName;
    private final Preprocessing preprocessing;
    private final List<Layer> layers;

    public Mlp(
            String inputName, String outputName, Preprocessing preprocessing, List<Layer> layers) {
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("an MLP needs at least one layer");
        }
        int in = preprocessing.columns();
        for (int k = 0; k < layers.size(); k++) {
            Layer l = layers.get(k);
            if (l.in != in) {
                throw new IllegalArgumentException(
                        "layer " + k + " takes " + l.in + " inputs, the previous one gives " + in);
            }
            in = l.out;
        }
        Layer last = layers.get(layers.size() - 1);
        if (last.out != 1 || last.relu) {
            throw new IllegalArgumentException(
                    "the last layer must have one output and no ReLU (a regression output)");
        }
        this.inputName = inputName;
        this.outputName = outputName;
        this.preprocessing = preprocessing;
        this.layers = List.copyOf(layers);
    }

    /** One dense layer. */
    public static final class Layer {
        final int in;
        final int out;
        final float[] w; // [in, out] row-major
        final float[] b; // [out], or null for a layer without bias
        final boolean relu;

        public Layer(int in, int out, float[] w, float[] b, boolean relu) {
            if (in < 1 || out < 1 || w.length != in * out || (b != null && b.length != out)) {
                throw new IllegalArgumentException(
                        "layer shapes do not agree: in "
                                + in
                                + ", out "
                                + out
                                + ", weights "
                                + w.length
                                + ", bias "
                                + (b == null ? "none" : b.length));
            }
            this.in = in;
            this.out = out;
            this.w = w;
            this.b = b;
            this.relu = relu;
        }

        public int in() {
            return in;
        }

        public int out() {
            return out;
        }

        /** W[in, out], row-major (a copy). */
        public float[] weights() {
            return w.clone();
        }

        /** b[out] (a copy), or null. */
        public float[] bias() {
            return b == null ? null : b.clone();
        }

        public boolean hasBias() {
            return b != null;
        }

        public boolean relu() {
            return relu;
        }
    }

    public String inputName() {
        return inputName;
    }

    public String outputName() {
        return outputName;
    }

    public Preprocessing preprocessing() {
        return preprocessing;
    }

    public List<Layer> layers() {
        return layers;
    }

    /** Number of input features. */
    public int inputs() {
        return preprocessing.columns();
    }

    /** Weights and biases of the dense layers (preprocessing constants are not parameters). */
    public long parameterCount() {
        long n = 0;
        for (Layer l : layers) {
            n += l.w.length + (l.b == null ? 0 : l.b.length);
        }
        return n;
    }

    /** Output widths of every layer but the last. */
    public List<Integer> hiddenSizes() {
        List<Integer> sizes = new ArrayList<>();
        for (int k = 0; k < layers.size() - 1; k++) {
            sizes.add(layers.get(k).out);
        }
        return sizes;
    }

    /** The same network with other layer weights (same preprocessing and names). */
    Mlp withLayers(List<Layer> newLayers) {
        return new Mlp(inputName, outputName, preprocessing, newLayers);
    }
}
