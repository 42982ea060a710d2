package dev.parity.compression.onnx;

import dev.parity.compression.training.Mlp;
import dev.parity.compression.training.Preprocessing;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Builds an MLP in the graph form {@link dev.parity.compression.spi.MlpTrainer} exports: {@code
 * features} [N, d] -> {@code Where(IsNaN(x), defaults, x)} -> {@code Sub(mean)} -> {@code Div(std)}
 * -> {@code Gemm(W[in,out], b)} + {@code Relu} per hidden layer -> {@code Gemm} -> {@code
 * prediction} [N, 1]. Used by the tests and to make example models of a chosen size.
 *
 * <pre>{@code
 * byte[] onnx = MlpOnnx.build(defaults, mean, std, MlpOnnx.randomLayers(9, new int[] {64, 64}, 1, 42));
 * }</pre>
 */
public final class MlpOnnx {
    public static final String INPUT = "features";
    public static final String OUTPUT = "prediction";

    private MlpOnnx() {}

    /** One dense layer: W as row-major [in, out], b [out]. */
    public static final class Layer {
        public final int in;
        public final int out;
        public final float[] w;
        public final float[] b;

        public Layer(int in, int out, float[] w, float[] b) {
            if (w.length != in * out || b.length != out) {
                throw new IllegalArgumentException("layer shapes do not match " + in + "x" + out);
            }
            this.in = in;
            this.out = out;
            this.w = w;
            this.b = b;
        }
    }

    /** He-initialised layers with seeded Gaussian weights and small biases. */
    public static List<Layer> randomLayers(int inputs, int[] hidden, int outputs, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<Layer> layers = new ArrayList<>();
        int in = inputs;
        for (int i = 0; i <= hidden.length; i++) {
            int out = i < hidden.length ? hidden[i] : outputs;
            float[] w = new float[in * out];
            double std = Math.sqrt(2.0 / in);
            for (int j = 0; j < w.length; j++) {
                w[j] = (float) (gaussian(r) * std);
            }
            float[] b = new float[out];
            for (int j = 0; j < out; j++) {
                b[j] = (float) (gaussian(r) * 0.1);
            }
            layers.add(new Layer(in, out, w, b));
            in = out;
        }
        return layers;
    }

    /**
     * The ONNX model of these layers with this preprocessing, written by the trainer's exporter
     * ({@link dev.parity.compression.training.MlpOnnx#export}), so example and test models have
     * exactly the layout trained models have.
     */
    public static byte[] build(float[] defaults, float[] mean, float[] std, List<Layer> layers) {
        List<Mlp.Layer> dense = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            Layer l = layers.get(i);
            dense.add(new Mlp.Layer(l.in, l.out, l.w, l.b, i < layers.size() - 1));
        }
        return dev.parity.compression.training.MlpOnnx.export(
                new Mlp(INPUT, OUTPUT, new Preprocessing(defaults, mean, std), dense));
    }

    private static double gaussian(SplittableRandom r) {
        double u1 = 1.0 - r.nextDouble();
        double u2 = r.nextDouble();
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }
}
