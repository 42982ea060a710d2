package dev.parity.compression;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parity.compression.methods.LowRankMethod;
import dev.parity.compression.methods.Variant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The low-rank method on convolutions: depthwise KxK + pointwise 1x1, run in ONNX Runtime. */
class DepthwiseSeparableTest {
    @Test
    void convolutionsBecomeDepthwiseAndPointwiseAndGetSmaller() throws Exception {
        byte[] cnn = TestingModels.speechCnn();
        List<Variant> vs =
                new LowRankMethod(new double[] {0.9}, new double[] {0.5})
                        .apply(Support.context(cnn, Support.speechInputs()));
        // Random kernels have flat spectra: 90 % of the energy needs every rank, nothing smaller.
        assertThat(vs).extracting(Variant::suffix).containsExactly("lowrank-dw-r1");
        Variant r1 = vs.get(0);
        assertThat(r1.notes()).contains("lowrank-dw-e90: no Conv gets smaller at energy 0.9");
        // conv1 (8x1x3x3) and conv2 (8x8x3x1) are factorised; conv3 is 1x1 and stays.
        assertThat(Support.opCounts(r1.onnx())).containsEntry("Conv", 5);
        assertThat(r1.parameters()).containsEntry("factorised_convs", "2");
        assertThat(r1.notes()).anyMatch(n -> n.contains("conv3") && n.contains("1x1 kernel"));
        assertThat(Support.parameters(r1.onnx())).isLessThan(Support.parameters(cnn));
        double[] cmp = Support.compare(cnn, r1.onnx(), Support.speechInputs());
        assertThat(cmp[0]).isPositive(); // rank 1 of a random kernel is an approximation
    }

    @Test
    void aSeparableConvolutionIsReproducedExactly() throws Exception {
        byte[] cnn = TestingModels.separableConv();
        Variant r1 =
                new LowRankMethod(new double[] {0.9}, new double[] {0.5})
                        .apply(Support.context(cnn, Support.imageInputs())).stream()
                                .filter(v -> v.suffix().equals("lowrank-dw-r1"))
                                .findFirst()
                                .orElseThrow();
        double[] cmp = Support.compare(cnn, r1.onnx(), Support.imageInputs());
        assertThat(cmp[0]).isLessThan(cmp[1] * 1e-5);
        assertThat(Support.parameters(r1.onnx())).isLessThan(Support.parameters(cnn));
    }

    @Test
    void fineTuningToTheTeacherBringsTheFactorisedCnnCloser() throws Exception {
        byte[] cnn = TestingModels.speechCnn();
        Variant r1 =
                new LowRankMethod(new double[] {0.9}, new double[] {0.5})
                        .apply(Support.context(cnn, Support.speechInputs()))
                        .get(0);
        dev.parity.compression.spi.MlpTrainer.Matched m =
                new dev.parity.compression.training.DjlMlpTrainer()
                        .matchTeacher(cnn, r1.onnx(), Support.speechInputs(), 400);
        assertThat(m.after).isLessThan(m.before * 0.8);
        assertThat(m.bestStep).isPositive();
        // the same graph with other weights, and closer on inputs it was not trained on
        assertThat(Support.opCounts(m.onnx)).isEqualTo(Support.opCounts(r1.onnx()));
        assertThat(Support.parameters(m.onnx)).isEqualTo(Support.parameters(r1.onnx()));
        double[] before = Support.compare(cnn, r1.onnx(), Support.speechInputs());
        double[] after = Support.compare(cnn, m.onnx, Support.speechInputs());
        assertThat(after[2]).isLessThan(before[2]);
    }

    @Test
    void theDjlGraphComputesWhatOnnxRuntimeComputes() throws Exception {
        // the teacher as its own student: DJL's run of the graph (Conv, Relu, Flatten, Gemm)
        // must start where ONNX Runtime is
        byte[] cnn = TestingModels.convNet();
        dev.parity.compression.spi.MlpTrainer.Matched m =
                new dev.parity.compression.training.DjlMlpTrainer()
                        .matchTeacher(cnn, cnn, Support.imageInputs(), 5);
        assertThat(m.before).isLessThan(1e-5);
        assertThat(Support.opCounts(m.onnx)).containsKey("Gemm");
    }
}
