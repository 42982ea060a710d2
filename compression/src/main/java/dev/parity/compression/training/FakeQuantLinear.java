package dev.parity.compression.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.parity.compression.methods.Int8StaticMethod;

/**
 * A dense layer that computes what the static int8 QDQ export of it computes, for
 * quantisation-aware training: its input goes through uint8 quantise-dequantise (per tensor,
 * asymmetric, the range covering 0, scale and zero point from {@link
 * Int8StaticMethod#scaleAndZeroPoint}), its weight through int8 (per output channel, symmetric,
 * scale = largest magnitude / 127), then {@code x W^T + b} in float. Gradients pass straight
 * through both roundings ({@code x + stopGradient(q(x) - x)}), so DJL's autograd trains the float
 * weights under the rounding the deployed model will apply.
 *
 * <p>The input range is observed in training-mode passes until {@link #freezeRange}: the first
 * batch's min and max, then a moving average of each batch's (weight 0.01, as PyTorch's
 * moving-average observer). The exported model uses that range, so it computes what this block
 * computed.
 */
final class FakeQuantLinear extends AbstractBlock {
    private static final float AVERAGING = 0.01f;

    private final int units;
    private final Parameter weight;
    private final Parameter bias;
    private boolean observed;
    private boolean observing = true;
    private float lo;
    private float hi;

    FakeQuantLinear(int units, boolean hasBias) {
        this.units = units;
        this.weight =
                addParameter(
                        Parameter.builder()
                                .setName("weight")
                                .setType(Parameter.Type.WEIGHT)
                                .build());
        this.bias =
                hasBias
                        ? addParameter(
                                Parameter.builder()
                                        .setName("bias")
                                        .setType(Parameter.Type.BIAS)
                                        .build())
                        : null;
    }

    @Override
    protected void prepare(Shape[] inputShapes) {
        long in = inputShapes[0].get(inputShapes[0].dimension() - 1);
        weight.setShape(new Shape(units, in));
        if (bias != null) {
            bias.setShape(new Shape(units));
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), units)};
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore store,
            NDList inputs,
            boolean training,
            PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        NDArray w = store.getValue(weight, x.getDevice(), training);
        NDArray b = bias == null ? null : store.getValue(bias, x.getDevice(), training);
        if (training && observing) {
            observe(x);
        }
        NDArray xq = straightThrough(x, quantiseInput(x));
        NDArray wq = straightThrough(w, quantiseWeight(w));
        return b == null ? Linear.linear(xq, wq) : Linear.linear(xq, wq, b);
    }

    private void observe(NDArray x) {
        float min = x.min().getFloat();
        float max = x.max().getFloat();
        if (!observed) {
            lo = min;
            hi = max;
            observed = true;
        } else {
            lo += AVERAGING * (min - lo);
            hi += AVERAGING * (max - hi);
        }
    }

    private NDArray quantiseInput(NDArray x) {
        float[] sz = Int8StaticMethod.scaleAndZeroPoint(lo, hi, false);
        float scale = sz[0];
        float zp = sz[1];
        return x.div(scale).round().add(zp).clip(0, 255).sub(zp).mul(scale);
    }

    /** Per output channel (a row of DJL's [out, in] weight), as {@code Quantization} does. */
    private static NDArray quantiseWeight(NDArray w) {
        NDArray maxAbs = w.abs().max(new int[] {1}, true);
        // an all-zero channel: any positive scale keeps it at exactly zero
        NDArray scale = maxAbs.div(127f).maximum(Float.MIN_NORMAL);
        return w.div(scale).round().clip(-127, 127).mul(scale);
    }

    private static NDArray straightThrough(NDArray x, NDArray q) {
        return x.add(q.sub(x).stopGradient());
    }

    boolean observed() {
        return observed;
    }

    /** Freezes the input range (training then adapts the weights to it). */
    void freezeRange() {
        observing = false;
    }

    /** The input range [lo, hi] the export quantises with. */
    float[] range() {
        return new float[] {Math.min(lo, 0f), Math.max(hi, 0f)};
    }

    void setRange(float[] range) {
        lo = range[0];
        hi = range[1];
        observed = true;
    }
}
