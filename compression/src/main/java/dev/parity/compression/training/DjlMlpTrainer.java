package dev.parity.compression.training;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.parity.compression.eval.ModelInputs;
import dev.parity.compression.methods.Int8StaticMethod;
import dev.parity.compression.spi.MlpTrainer;
import dev.parity.models.FeatureTable;
import dev.parity.models.OnnxScorer;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Trains the MLP regressor of the delay with DJL on PyTorch (CPU), and fine-tunes and distils
 * exported MLPs for the compression job.
 *
 * <p>Loss: L1, because the reported metric is MAE and delays are heavy-tailed (a squared loss
 * chases the few multi-hour delays). Adam with a fixed learning rate that halves whenever the
 * VALIDATION (May) MAE does not improve; early stopping after {@code patience} such epochs, keeping
 * the best epoch's weights. Weights start from a seeded He initialisation done in Java and batches
 * are shuffled by a seeded {@link Random}, so a run is repeatable on the same CPU and thread count.
 *
 * <pre>{@code
 * DjlMlpTrainer t = new DjlMlpTrainer(DjlMlpTrainer.Options.builder().epochs(10).build());
 * DjlMlpTrainer.Result r = t.train(table, new int[] {256, 256});
 * byte[] onnx = MlpOnnx.export(r.mlp());
 * t.verifyExport(r.mlp(), onnx, table.features(table.rowsOf(Split.VALIDATION)));
 * }</pre>
 */
public final class DjlMlpTrainer implements MlpTrainer {
    /** Progress within an epoch at most this often (epochs of 500,000 rows take minutes here). */
    private static final long PROGRESS_NANOS = 10_000_000_000L;

    /**
     * ORT vs DJL: {@code |ort - djl| <= TOLERANCE * max(1, |djl|, mean |djl|)}: relative to the
     * larger of the value and the predictions' typical magnitude (minutes), because float32 sums of
     * hundreds of terms of that magnitude carry that much rounding even when they cancel to ~0.
     */
    public static final double TOLERANCE = 1e-5;

    private static final int EVAL_BATCH = 8192;

    /** Quantisation-aware fine-tuning runs at this fraction of the learning rate. */
    static final float QAT_LEARNING_RATE_FACTOR = 0.1f;

    /** Batches observed for the input ranges before quantisation-aware training starts. */
    private static final int CALIBRATION_BATCHES = 50;

    private final Options options;

    public DjlMlpTrainer(Options options) {
        this.options = options;
    }

    /**
     * The trainer {@code parity compress} finds through {@link java.util.ServiceLoader}: the
     * default options, batches of 1024 and at most 500,000 training rows per epoch, so that
     * fine-tuning every pruned and factorised variant stays within minutes on the full data.
     */
    public DjlMlpTrainer() {
        this(Options.builder().batchSize(1024).rowsPerEpoch(500_000).build());
    }

    /** A trained model and how it got there. */
    public static final class Result {
        private final Mlp mlp;
        private final int epochs;
        private final int bestEpoch;
        private final double validationMae;
        private final double seconds;
        private final long trainRows;
        private final float[][] ranges;

        Result(
                Mlp mlp,
                int epochs,
                int bestEpoch,
                double validationMae,
                double seconds,
                long trainRows,
                float[][] ranges) {
            this.mlp = mlp;
            this.epochs = epochs;
            this.bestEpoch = bestEpoch;
            this.validationMae = validationMae;
            this.seconds = seconds;
            this.trainRows = trainRows;
            this.ranges = ranges;
        }

        /**
         * After quantisation-aware training: each layer's input range [lo, hi] at the best epoch;
         * else null.
         */
        public float[][] inputRanges() {
            return ranges;
        }

        public Mlp mlp() {
            return mlp;
        }

        /** Epochs run (including those after the best one). */
        public int epochs() {
            return epochs;
        }

        /** 1-based epoch whose weights were kept. */
        public int bestEpoch() {
            return bestEpoch;
        }

        public double validationMae() {
            return validationMae;
        }

        public double seconds() {
            return seconds;
        }

        public long trainRows() {
            return trainRows;
        }
    }

    /** Trains a new MLP with {@code hidden} layer widths on the table's TRAIN rows. */
    public Result train(FeatureTable table, int[] hidden) {
        int[] trainRows = table.rowsOf(FeatureTable.Split.TRAIN);
        int[] valRows = table.rowsOf(FeatureTable.Split.VALIDATION);
        requireRows(trainRows, valRows);
        Preprocessing pre = Preprocessing.fit(table, trainRows);
        float[] y = table.labels(trainRows);
        Mlp init = initial(pre, hidden, median(y), new Random(options.seed));
        return fit(
                init,
                pre.apply(table.features(trainRows)),
                y,
                pre.apply(table.features(valRows)),
                table.labels(valRows),
                false,
                false,
                "train");
    }

    @Override
    public byte[] fineTune(byte[] onnx, FeatureTable table, int maxEpochs) throws OrtException {
        Mlp start = MlpOnnx.parse(onnx);
        checkArity(start, table);
        int[] trainRows = table.rowsOf(FeatureTable.Split.TRAIN);
        int[] valRows = table.rowsOf(FeatureTable.Split.VALIDATION);
        requireRows(trainRows, valRows);
        Preprocessing pre = start.preprocessing();
        DjlMlpTrainer tuner = new DjlMlpTrainer(options.withEpochs(maxEpochs));
        Result r =
                tuner.fit(
                        start,
                        pre.apply(table.features(trainRows)),
                        table.labels(trainRows),
                        pre.apply(table.features(valRows)),
                        table.labels(valRows),
                        true,
                        false,
                        "fine-tune");
        byte[] out = MlpOnnx.export(r.mlp());
        verifyExport(r.mlp(), out, table.features(valRows));
        return out;
    }

    /**
     * Quantisation-aware fine-tuning for static int8: trains every Gemm weight and bias under the
     * rounding of the QDQ export ({@link FakeQuantLinear}: uint8 inputs per tensor, int8 weights
     * per output channel, straight-through gradients), with early stopping on the VALIDATION MAE of
     * the quantised model, keeps weights that are exactly zero at zero, and exports the best
     * epoch's weights and input ranges as a QDQ model ({@link Int8StaticMethod#qdq}). The export is
     * checked against the quantised DJL model on the VALIDATION rows.
     */
    @Override
    public QuantizationAware quantizationAware(byte[] onnx, FeatureTable table, int maxEpochs)
            throws OrtException {
        Mlp start = MlpOnnx.parse(onnx);
        checkArity(start, table);
        int[] trainRows = table.rowsOf(FeatureTable.Split.TRAIN);
        int[] valRows = table.rowsOf(FeatureTable.Split.VALIDATION);
        requireRows(trainRows, valRows);
        Preprocessing pre = start.preprocessing();
        // a converged model under rounding noise: steps a tenth of training's (measured on the
        // flights teacher: at the full rate every epoch was worse than the quantised start)
        DjlMlpTrainer tuner =
                new DjlMlpTrainer(
                        options.with(maxEpochs, options.learningRate * QAT_LEARNING_RATE_FACTOR));
        float[] xVal = pre.apply(table.features(valRows));
        Result r =
                tuner.fit(
                        start,
                        pre.apply(table.features(trainRows)),
                        table.labels(trainRows),
                        xVal,
                        table.labels(valRows),
                        true,
                        true,
                        "qat");
        Map<String, float[]> ranges = new LinkedHashMap<>();
        List<Mlp.Layer> layers = r.mlp().layers();
        for (int k = 0; k < layers.size(); k++) {
            ranges.put(MlpOnnx.inputOf(r.mlp(), k), r.inputRanges()[k]);
        }
        byte[] int8 = Int8StaticMethod.qdq(MlpOnnx.export(r.mlp()), ranges);
        float[] djl = new float[valRows.length];
        try (Net net = new Net(r.mlp(), new float[] {0f}, true)) {
            net.setRanges(r.inputRanges());
            net.predict(xVal, valRows.length, djl);
        }
        float[] ort = ortPredict(int8, r.mlp(), table.features(valRows));
        double maxDiff = 0;
        double sumDiff = 0;
        for (int i = 0; i < djl.length; i++) {
            double diff = Math.abs(ort[i] - djl[i]);
            maxDiff = Math.max(maxDiff, diff);
            sumDiff += diff;
        }
        return new QuantizationAware(
                int8,
                ranges,
                r.bestEpoch(),
                r.epochs(),
                r.validationMae(),
                maxDiff,
                sumDiff / Math.max(1, djl.length));
    }

    @Override
    public Matched matchTeacher(byte[] teacher, byte[] student, ModelInputs inputs, int steps)
            throws Exception {
        // 1e-4: at 1e-3 the first steps pushed variants that start near their teacher (90 %/95 %
        // energy) away from it, and the halving on every worse evaluation then froze them there
        GraphFineTuner.Result r =
                new GraphFineTuner(32, 1e-4f, options.log).fit(teacher, student, inputs, steps);
        return new Matched(r.onnx, r.before, r.after, r.bestStep);
    }

    @Override
    public byte[] distill(byte[] teacherOnnx, FeatureTable table, int[] hidden, float alpha)
            throws OrtException {
        if (!(alpha >= 0 && alpha <= 1)) {
            throw new IllegalArgumentException("alpha must be in [0, 1], got " + alpha);
        }
        Mlp teacher = MlpOnnx.parse(teacherOnnx);
        checkArity(teacher, table);
        int[] trainRows = table.rowsOf(FeatureTable.Split.TRAIN);
        int[] valRows = table.rowsOf(FeatureTable.Split.VALIDATION);
        requireRows(trainRows, valRows);
        float[] rawTrain = table.features(trainRows);
        float[] soft = ortPredict(teacherOnnx, teacher, rawTrain);
        float[] y = table.labels(trainRows);
        float[] target = new float[y.length];
        for (int i = 0; i < y.length; i++) {
            target[i] = alpha * soft[i] + (1 - alpha) * y[i];
        }
        Preprocessing pre = teacher.preprocessing();
        Mlp init = initial(pre, hidden, median(target), new Random(options.seed));
        init = new Mlp(teacher.inputName(), teacher.outputName(), pre, init.layers());
        // Early stopping on the true May labels: the student is judged by MAE, not by agreement.
        Result r =
                fit(
                        init,
                        pre.apply(rawTrain),
                        target,
                        pre.apply(table.features(valRows)),
                        table.labels(valRows),
                        false,
                        false,
                        "distill");
        byte[] out = MlpOnnx.export(r.mlp());
        verifyExport(r.mlp(), out, table.features(valRows));
        return out;
    }

    /**
     * Fails unless ONNX Runtime's output for {@code rawRows} agrees with DJL's within {@link
     * #TOLERANCE}.
     *
     * @return the largest scaled difference seen
     * @throws IllegalStateException naming the first row that disagrees
     */
    public double verifyExport(Mlp mlp, byte[] onnx, float[] rawRows) throws OrtException {
        float[] djl = predict(mlp, mlp.preprocessing().apply(rawRows));
        float[] ort = ortPredict(onnx, mlp, rawRows);
        double typical = 0;
        for (float v : djl) {
            typical += Math.abs(v);
        }
        typical /= Math.max(1, djl.length);
        double worst = 0;
        for (int i = 0; i < djl.length; i++) {
            double scale = Math.max(Math.max(1.0, typical), Math.abs(djl[i]));
            double scaled = Math.abs(ort[i] - djl[i]) / scale;
            if (!(scaled <= TOLERANCE)) {
                throw new IllegalStateException(
                        String.format(
                                Locale.ROOT,
                                "exported ONNX disagrees with DJL at row %d: ONNX Runtime %s, DJL"
                                        + " %s (tolerance %.0e x %.3f)",
                                i,
                                ort[i],
                                djl[i],
                                TOLERANCE,
                                scale));
            }
            worst = Math.max(worst, scaled);
        }
        return worst;
    }

    /** The model's predictions for already preprocessed rows, computed by DJL/PyTorch. */
    public static float[] predict(Mlp mlp, float[] standardised) {
        int d = mlp.inputs();
        int n = standardised.length / d;
        float[] out = new float[n];
        try (Net net = new Net(mlp, 0.001f)) {
            net.predict(standardised, n, out);
        }
        return out;
    }

    /** ONNX Runtime predictions of a model for raw rows (NaN for nulls). */
    public static float[] ortPredict(byte[] onnx, Mlp mlp, float[] rawRows) throws OrtException {
        int d = mlp.inputs();
        int n = rawRows.length / d;
        float[] out = new float[n];
        float[] chunk = new float[EVAL_BATCH];
        try (OnnxScorer scorer =
                OnnxScorer.open(
                        onnx,
                        mlp.inputName(),
                        mlp.outputName(),
                        d,
                        EVAL_BATCH,
                        2,
                        OrtSession.SessionOptions.OptLevel.ALL_OPT)) {
            for (int start = 0; start < n; start += EVAL_BATCH) {
                int b = Math.min(EVAL_BATCH, n - start);
                scorer.inputBuffer().put(rawRows, start * d, b * d);
                scorer.score(b, chunk);
                System.arraycopy(chunk, 0, out, start, b);
            }
        }
        return out;
    }

    Result fit(
            Mlp init,
            float[] xTrain,
            float[] yTrain,
            float[] xVal,
            float[] yVal,
            boolean keepZeros,
            boolean quantised,
            String what) {
        int d = init.inputs();
        int n = yTrain.length;
        int perEpoch = options.rowsPerEpoch > 0 ? Math.min(n, options.rowsPerEpoch) : n;
        int bs = options.batchSize;
        Random rnd = new Random(options.seed + 1);
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        float[] lr = {options.learningRate};
        long started = System.nanoTime();
        try (Net net = new Net(init, lr, quantised)) {
            if (keepZeros) {
                net.captureZeroMasks();
            }
            if (quantised) {
                // the input ranges before the first step: min and max of a first batch, then
                // moving averages over the next ones, as during training
                net.observe(xTrain, Math.min(n, CALIBRATION_BATCHES * bs), bs);
                net.freezeRanges();
            }
            float[] valPred = new float[yVal.length];
            net.predict(xVal, yVal.length, valPred);
            double bestMae = Metrics.mae(valPred, yVal);
            Mlp best = init;
            float[][] bestRanges = quantised ? net.ranges() : null;
            int bestEpoch = 0;
            int sinceBest = 0;
            int epoch = 0;
            log(
                    "%s: %d train rows (%d per epoch), %d validation rows, start val MAE %.4f%n",
                    what, n, perEpoch, yVal.length, bestMae);
            float[] xb = new float[bs * d];
            float[] yb = new float[bs];
            while (epoch < options.epochs && sinceBest < options.patience) {
                epoch++;
                long t0 = System.nanoTime();
                shuffle(order, rnd);
                double lossSum = 0;
                long lastLog = t0;
                for (int start = 0; start < perEpoch; start += bs) {
                    int b = Math.min(bs, perEpoch - start);
                    for (int k = 0; k < b; k++) {
                        int i = order[start + k];
                        System.arraycopy(xTrain, i * d, xb, k * d, d);
                        yb[k] = yTrain[i];
                    }
                    lossSum += net.step(xb, yb, b) * b;
                    long now = System.nanoTime();
                    if (now - lastLog > PROGRESS_NANOS && start + b < perEpoch) {
                        // a long epoch is not a hung one
                        lastLog = now;
                        log(
                                "%s epoch %d/%d: %.0f%% (%,d of %,d rows), train L1 so far %.4f%n",
                                what,
                                epoch,
                                options.epochs,
                                100.0 * (start + b) / perEpoch,
                                start + b,
                                perEpoch,
                                lossSum / (start + b));
                    }
                }
                double trainSeconds = (System.nanoTime() - t0) / 1e9;
                net.predict(xVal, yVal.length, valPred);
                double mae = Metrics.mae(valPred, yVal);
                boolean improved = mae < bestMae;
                if (improved) {
                    bestMae = mae;
                    best = net.snapshot();
                    bestRanges = quantised ? net.ranges() : null;
                    bestEpoch = epoch;
                    sinceBest = 0;
                } else {
                    sinceBest++;
                    lr[0] /= 2;
                }
                log(
                        "%s epoch %d: train L1 %.4f, val MAE %.4f%s, %,.0f rows/s, lr %.2e%n",
                        what,
                        epoch,
                        lossSum / perEpoch,
                        mae,
                        improved ? " (best)" : "",
                        perEpoch / trainSeconds,
                        lr[0]);
            }
            return new Result(
                    best,
                    epoch,
                    bestEpoch,
                    bestMae,
                    (System.nanoTime() - started) / 1e9,
                    n,
                    bestRanges);
        }
    }

    private void log(String format, Object... args) {
        if (options.log != null) {
            options.log.printf(Locale.ROOT, format, args);
            options.log.flush();
        }
    }

    private static void shuffle(int[] a, Random rnd) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    private static void requireRows(int[] train, int[] val) {
        if (train.length == 0 || val.length == 0) {
            throw new IllegalArgumentException(
                    "training needs TRAIN (Jan-Apr) and VALIDATION (May) rows, the file has "
                            + train.length
                            + " and "
                            + val.length);
        }
    }

    private static void checkArity(Mlp mlp, FeatureTable table) {
        if (mlp.inputs() != table.columns().size()) {
            throw new IllegalArgumentException(
                    "the model takes "
                            + mlp.inputs()
                            + " features, the table has "
                            + table.columns().size()
                            + " "
                            + table.columns());
        }
    }

    static float median(float[] v) {
        float[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    /** He-initialised layers; the output bias starts at the target's median (the L1 optimum). */
    static Mlp initial(Preprocessing pre, int[] hidden, float outputBias, Random rnd) {
        List<Mlp.Layer> layers = new ArrayList<>();
        int in = pre.columns();
        for (int k = 0; k <= hidden.length; k++) {
            boolean last = k == hidden.length;
            int out = last ? 1 : hidden[k];
            if (out < 1) {
                throw new IllegalArgumentException("hidden sizes must be positive, got " + out);
            }
            float[] w = new float[in * out];
            double scale = Math.sqrt(2.0 / in);
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) (rnd.nextGaussian() * scale);
            }
            float[] b = new float[out];
            if (last) {
                b[0] = outputBias;
            }
            layers.add(new Mlp.Layer(in, out, w, b, !last));
            in = out;
        }
        return new Mlp("features", "prediction", pre, layers);
    }

    /** Work on one batch of rows, starting at row {@code start}. */
    private interface BatchPass {
        void run(NDArray xs, int start, int rows);
    }

    /** A DJL model holding an {@link Mlp}'s layers; closes its NDManager and trainer. */
    private static final class Net implements AutoCloseable {
        private final Mlp template;
        private final Model model;
        private final Trainer trainer;
        private final List<Block> linears = new ArrayList<>();
        private List<NDArray> masks;

        Net(Mlp mlp, float learningRate) {
            this(mlp, new float[] {learningRate}, false);
        }

        /** With {@code quantised}, every layer is a {@link FakeQuantLinear}. */
        Net(Mlp mlp, float[] learningRate, boolean quantised) {
            DjlRuntime.init();
            this.template = mlp;
            SequentialBlock block = new SequentialBlock();
            for (Mlp.Layer l : mlp.layers()) {
                Block lin =
                        quantised
                                ? new FakeQuantLinear(l.out(), l.hasBias())
                                : Linear.builder().setUnits(l.out()).optBias(l.hasBias()).build();
                linears.add(lin);
                block.add(lin);
                if (l.relu()) {
                    block.add(Activation.reluBlock());
                }
            }
            model = Model.newInstance("mlp", Engine.getEngine("PyTorch").getEngineName());
            model.setBlock(block);
            Optimizer adam =
                    Optimizer.adam().optLearningRateTracker((id, t) -> learningRate[0]).build();
            trainer = model.newTrainer(new DefaultTrainingConfig(Loss.l1Loss()).optOptimizer(adam));
            trainer.initialize(new Shape(1, mlp.inputs()));
            List<Mlp.Layer> layers = mlp.layers();
            for (int k = 0; k < layers.size(); k++) {
                Mlp.Layer l = layers.get(k);
                // DJL keeps W as [out, in]; ONNX Gemm takes [in, out].
                weight(k).set(transpose(l.w, l.in, l.out));
                if (l.b != null) {
                    bias(k).set(l.b);
                }
            }
        }

        /** Runs the training-mode forward pass (no step) so fake-quantised layers see inputs. */
        void observe(float[] x, int rows, int batchSize) {
            forEachBatch(x, rows, batchSize, (xs, start, b) -> trainer.forward(new NDList(xs)));
        }

        /**
         * Runs {@code pass} on consecutive batches of {@code rows} rows of {@code x}, each in its
         * own manager and scope, so nothing a pass makes outlives it.
         */
        private void forEachBatch(float[] x, int rows, int batchSize, BatchPass pass) {
            int d = template.inputs();
            for (int start = 0; start < rows; start += batchSize) {
                int b = Math.min(batchSize, rows - start);
                try (NDManager batch = model.getNDManager().newSubManager();
                        NDScope scope = new NDScope()) {
                    NDArray xs =
                            batch.create(
                                    Arrays.copyOfRange(x, start * d, (start + b) * d),
                                    new Shape(b, d));
                    pass.run(xs, start, b);
                }
            }
        }

        float[][] ranges() {
            float[][] out = new float[linears.size()][];
            for (int k = 0; k < out.length; k++) {
                out[k] = ((FakeQuantLinear) linears.get(k)).range();
            }
            return out;
        }

        void freezeRanges() {
            for (Block b : linears) {
                ((FakeQuantLinear) b).freezeRange();
            }
        }

        void setRanges(float[][] ranges) {
            for (int k = 0; k < ranges.length; k++) {
                ((FakeQuantLinear) linears.get(k)).setRange(ranges[k]);
            }
        }

        NDArray weight(int k) {
            return linears.get(k).getParameters().get("weight").getArray();
        }

        NDArray bias(int k) {
            return linears.get(k).getParameters().get("bias").getArray();
        }

        /** Remembers which weights are exactly zero so that {@link #step} keeps them there. */
        void captureZeroMasks() {
            masks = new ArrayList<>();
            for (int k = 0; k < linears.size(); k++) {
                NDArray w = weight(k);
                masks.add(w.neq(0).toType(w.getDataType(), false));
            }
        }

        /** One Adam step on a batch; returns its mean L1 loss. */
        float step(float[] x, float[] y, int rows) {
            int d = template.inputs();
            try (NDManager batch = model.getNDManager().newSubManager()) {
                NDArray xs = batch.create(Arrays.copyOf(x, rows * d), new Shape(rows, d));
                NDArray ys = batch.create(Arrays.copyOf(y, rows), new Shape(rows, 1));
                float loss;
                // the scope closes every array the pass made, also those derived from a weight
                // (fake quantisation), which would otherwise live as long as the weight's manager
                try (NDScope scope = new NDScope();
                        GradientCollector gc = trainer.newGradientCollector()) {
                    NDArray pred = trainer.forward(new NDList(xs)).singletonOrThrow();
                    NDArray l = trainer.getLoss().evaluate(new NDList(ys), new NDList(pred));
                    gc.backward(l);
                    loss = l.getFloat();
                }
                if (masks != null) {
                    // A zero gradient keeps Adam's moments at zero, so the update is exactly 0.
                    for (int k = 0; k < linears.size(); k++) {
                        NDArray g = weight(k).getGradient();
                        g.attach(batch);
                        g.muli(masks.get(k));
                    }
                }
                trainer.step();
                return loss;
            }
        }

        void predict(float[] x, int rows, float[] out) {
            forEachBatch(
                    x,
                    rows,
                    EVAL_BATCH,
                    (xs, start, b) -> {
                        NDArray pred = trainer.evaluate(new NDList(xs)).singletonOrThrow();
                        System.arraycopy(pred.toFloatArray(), 0, out, start, b);
                    });
        }

        /** The current weights as an {@link Mlp} with the template's preprocessing and names. */
        Mlp snapshot() {
            List<Mlp.Layer> layers = new ArrayList<>();
            List<Mlp.Layer> old = template.layers();
            for (int k = 0; k < old.size(); k++) {
                Mlp.Layer l = old.get(k);
                float[] w = transpose(weight(k).toFloatArray(), l.out, l.in);
                float[] b = l.b == null ? null : bias(k).toFloatArray();
                layers.add(new Mlp.Layer(l.in, l.out, w, b, l.relu));
            }
            return template.withLayers(layers);
        }

        @Override
        public void close() {
            trainer.close();
            model.close();
        }
    }

    /** [rows, cols] row-major to [cols, rows] row-major. */
    static float[] transpose(float[] a, int rows, int cols) {
        float[] t = new float[a.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                t[c * rows + r] = a[r * cols + c];
            }
        }
        return t;
    }

    /** Training settings; {@link #builder()} has the defaults. */
    public static final class Options {
        final int epochs;
        final int batchSize;
        final float learningRate;
        final long seed;
        final int patience;
        final int rowsPerEpoch;
        final PrintStream log;

        private Options(Builder b) {
            this.epochs = b.epochs;
            this.batchSize = b.batchSize;
            this.learningRate = b.learningRate;
            this.seed = b.seed;
            this.patience = b.patience;
            this.rowsPerEpoch = b.rowsPerEpoch;
            this.log = b.log;
        }

        public static Builder builder() {
            return new Builder();
        }

        Options withEpochs(int epochs) {
            return with(epochs, learningRate);
        }

        Options with(int epochs, float learningRate) {
            Builder b = new Builder();
            b.epochs = epochs;
            b.batchSize = batchSize;
            b.learningRate = learningRate;
            b.seed = seed;
            b.patience = patience;
            b.rowsPerEpoch = rowsPerEpoch;
            b.log = log;
            return b.build();
        }

        public int epochs() {
            return epochs;
        }

        public int batchSize() {
            return batchSize;
        }

        public float learningRate() {
            return learningRate;
        }

        public long seed() {
            return seed;
        }

        public int patience() {
            return patience;
        }

        public int rowsPerEpoch() {
            return rowsPerEpoch;
        }

        /** Defaults: 10 epochs, batch 512, lr 1e-3, seed 42, patience 3, every row per epoch. */
        public static final class Builder {
            private int epochs = 10;
            private int batchSize = 512;
            private float learningRate = 1e-3f;
            private long seed = 42;
            private int patience = 3;
            private int rowsPerEpoch = 0;
            private PrintStream log = System.out;

            public Builder epochs(int v) {
                epochs = v;
                return this;
            }

            public Builder batchSize(int v) {
                batchSize = v;
                return this;
            }

            public Builder learningRate(float v) {
                learningRate = v;
                return this;
            }

            public Builder seed(long v) {
                seed = v;
                return this;
            }

            public Builder patience(int v) {
                patience = v;
                return this;
            }

            /** Rows drawn (without replacement) per epoch; 0 = all TRAIN rows. */
            public Builder rowsPerEpoch(int v) {
                rowsPerEpoch = v;
                return this;
            }

            /** Progress output, or null for none. */
            public Builder log(PrintStream v) {
                log = v;
                return this;
            }

            public Options build() {
                if (epochs < 1) {
                    throw new IllegalArgumentException("'epochs' must be >= 1, got " + epochs);
                }
                if (batchSize < 1) {
                    throw new IllegalArgumentException(
                            "'batchSize' must be >= 1, got " + batchSize);
                }
                if (!(learningRate > 0) || !Float.isFinite(learningRate)) {
                    throw new IllegalArgumentException(
                            "'learningRate' must be positive, got " + learningRate);
                }
                if (patience < 1) {
                    throw new IllegalArgumentException("'patience' must be >= 1, got " + patience);
                }
                if (rowsPerEpoch < 0) {
                    throw new IllegalArgumentException(
                            "'rowsPerEpoch' must be >= 0, got " + rowsPerEpoch);
                }
                return new Options(this);
            }
        }
    }
}
