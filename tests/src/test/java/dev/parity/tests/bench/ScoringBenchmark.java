package dev.parity.tests.bench;

import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import dev.parity.features.engine.EngineTypes;
import dev.parity.features.engine.FeatureRow;
import dev.parity.features.engine.SpecPlan;
import dev.parity.features.spec.BundledSpec;
import dev.parity.jobs.LocalFlink;
import dev.parity.models.LinearOnnxModel;
import dev.parity.models.ModelContract;
import dev.parity.models.ModelGate;
import dev.parity.models.ModelManifest;
import dev.parity.models.ModelRegistry;
import dev.parity.models.OnnxScorer;
import dev.parity.models.flink.Prediction;
import dev.parity.models.flink.Scoring;
import dev.parity.models.flink.ServingModel;
import dev.parity.models.flink.SpecRowInput;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Scoring throughput side by side in one JVM, same model, single thread: the Flink scoring operator
 * at batch sizes 1, 32 and 256, a raw ONNX Runtime loop at the same batch sizes (no Flink), and the
 * naive approach (one {@code run()} per record in a map function, Java arrays). The model is a
 * 9-256-256-1 ReLU MLP with random weights, the shape of the teacher to come.
 *
 * <pre>
 * tests/bench/run.sh ScoringBenchmark [records] [mlp|mlp:HIDDEN|linear]
 * tests/bench/run.sh ScoringBenchmark latency [records per second]
 * </pre>
 */
public final class ScoringBenchmark {
    private static final SpecPlan PLAN = SpecPlan.of(BundledSpec.flights());
    private static final ModelContract SET = ModelContract.of(PLAN);
    private static final int ARITY = SET.inputColumns().size();
    private static final int[] POSITIONS = PLAN.positionsOf(SET.inputColumns());

    private ScoringBenchmark() {}

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("latency")) {
            latency(args.length > 1 ? Integer.parseInt(args[1]) : 20_000);
            return;
        }
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 4_000_000;
        boolean linear = args.length > 1 && args[1].equals("linear");
        byte[] model;
        String dir;
        if (linear) {
            // the bundled demo model: a single Gemm, where per-call overhead is everything
            dir = "models/bundled/flights-linear/1";
            model = Files.readAllBytes(java.nio.file.Path.of(dir, "model.onnx"));
        } else {
            // "mlp" or "mlp:<hidden>": a 9-h-h-1 ReLU MLP, h = 256 (the teacher's shape) by default
            int hidden =
                    args.length > 1 && args[1].startsWith("mlp:")
                            ? Integer.parseInt(args[1].substring(4))
                            : 256;
            model = mlp(ARITY, hidden, 42);
            dir = register(Files.createTempDirectory("parity-scoring-bench").toString(), model);
            System.out.println("model: MLP 9-" + hidden + "-" + hidden + "-1");
        }
        if (linear) {
            System.out.println("model: bundled linear (9 -> 1)");
        }

        Map<String, Double> rate = new java.util.LinkedHashMap<>();
        rate.put("naive: one run() per record in a map", naive(dir, n / 8));
        for (int batch : new int[] {1, 32, 256}) {
            int records = batch == 1 ? n / 8 : n;
            rate.put("raw ORT loop, batch " + batch, raw(model, batch, records));
            double withStartup = operator(dir, batch, records);
            rate.put("Flink ScoringOperator, batch " + batch, steadyRate(records));
            rate.put("Flink ScoringOperator, batch " + batch + ", incl. job start", withStartup);
        }
        System.out.printf(
                Locale.ROOT,
                "%n| run (1 thread, %,d records; batch 1 and naive: %,d) | records/s |%n",
                n,
                n / 8);
        System.out.println("|---|---:|");
        rate.forEach((k, v) -> System.out.printf(Locale.ROOT, "| %s | %,.0f |%n", k, v));
        for (int batch : new int[] {1, 32, 256}) {
            System.out.printf(
                    Locale.ROOT,
                    "operator / raw loop at batch %d: %.2fx%n",
                    batch,
                    rate.get("Flink ScoringOperator, batch " + batch)
                            / rate.get("raw ORT loop, batch " + batch));
        }
        System.out.printf(
                Locale.ROOT,
                "operator at batch 256 / naive: %.1fx%n",
                rate.get("Flink ScoringOperator, batch 256")
                        / rate.get("naive: one run() per record in a map"));
    }

    /** Latencies (ns) recorded by {@link LatencySink}; the local cluster runs in this JVM. */
    static final java.util.concurrent.ConcurrentLinkedQueue<Long> LATENCIES =
            new java.util.concurrent.ConcurrentLinkedQueue<>();

    /**
     * Added latency of the scoring operator at a fixed input rate, max wait 5 ms, max batch 256:
     * each record carries the {@code System.nanoTime()} at which the paced source handed it to the
     * (chained) operator, and the sink measures when its prediction came out.
     */
    static void latency(int ratePerSecond) throws Exception {
        byte[] model = mlp(ARITY, 256, 42);
        String dir = register(Files.createTempDirectory("parity-latency-bench").toString(), model);
        int seconds = 10;
        long records = (long) ratePerSecond * seconds;
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(
                        LocalFlink.configuration(RuntimeExecutionMode.STREAMING, true));
        env.setParallelism(1);
        env.fromSequence(1, records)
                .map(new Paced(ratePerSecond))
                .returns(EngineTypes.ROW)
                .transform(
                        "score",
                        TypeInformation.of(Prediction.class),
                        Scoring.of(new SpecRowInput(PLAN)).serve(ServingModel.at(dir)).build())
                .sinkTo(new LatencySink());
        LATENCIES.clear();
        env.execute("scoring-latency-" + ratePerSecond);
        long[] ns = LATENCIES.stream().mapToLong(Long::longValue).sorted().toArray();
        System.out.printf(
                Locale.ROOT,
                "%n| input rate | records | p50 ms | p99 ms | max ms |%n|---:|---:|---:|---:|---:|%n"
                        + "| %,d/s | %,d | %.2f | %.2f | %.2f |%n",
                ratePerSecond,
                ns.length,
                ns[ns.length / 2] / 1e6,
                ns[(int) (ns.length * 0.99)] / 1e6,
                ns[ns.length - 1] / 1e6);
    }

    /** Emits vectors at a fixed rate, stamping each with the time it was handed on. */
    static final class Paced extends RichMapFunction<Long, FeatureRow> {
        private final int rate;
        private transient long start;

        Paced(int rate) {
            this.rate = rate;
        }

        @Override
        public void open(OpenContext ctx) {
            start = System.nanoTime();
        }

        @Override
        public FeatureRow map(Long i) {
            long due = start + (long) ((i - 1) * (1e9 / rate));
            while (System.nanoTime() < due) {
                java.util.concurrent.locks.LockSupport.parkNanos(20_000);
            }
            FeatureRow v = vector(i);
            return new FeatureRow(v.id, System.nanoTime(), v.values);
        }
    }

    /** Records now minus the stamp carried in the row's time (a prediction's {@code depTime}). */
    static final class LatencySink
            implements org.apache.flink.api.connector.sink2.Sink<Prediction> {
        @Override
        public org.apache.flink.api.connector.sink2.SinkWriter<Prediction> createWriter(
                org.apache.flink.api.connector.sink2.WriterInitContext context) {
            return new org.apache.flink.api.connector.sink2.SinkWriter<>() {
                @Override
                public void write(Prediction p, Context c) {
                    LATENCIES.add(System.nanoTime() - p.depTime);
                }

                @Override
                public void flush(boolean endOfInput) {}

                @Override
                public void close() {}
            };
        }
    }

    /** Records/s of OnnxScorer alone: fill the direct buffer, one run per batch. */
    static double raw(byte[] model, int batch, int records) throws Exception {
        float[] out = new float[batch];
        float[] row = new float[ARITY];
        Random r = new Random(1);
        try (OnnxScorer s =
                OnnxScorer.open(
                        model, "features", "prediction", ARITY, batch, 1, OptLevel.ALL_OPT)) {
            long start = System.nanoTime();
            for (int done = 0; done < records; done += batch) {
                FloatBuffer in = s.inputBuffer();
                for (int i = 0; i < batch; i++) {
                    for (int j = 0; j < ARITY; j++) {
                        row[j] = r.nextFloat() * 10;
                    }
                    in.put(row);
                }
                s.score(batch, out);
            }
            return records / ((System.nanoTime() - start) / 1e9);
        }
    }

    /** Records/s of a Flink job: generated vectors -> ScoringOperator -> discard. */
    static double operator(String dir, int batch, int records) throws Exception {
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(
                        LocalFlink.configuration(RuntimeExecutionMode.STREAMING, true));
        env.setParallelism(1);
        env.fromSequence(1, records)
                .map(ScoringBenchmark::vector)
                .returns(EngineTypes.ROW)
                .transform(
                        "score",
                        TypeInformation.of(Prediction.class),
                        Scoring.of(new SpecRowInput(PLAN))
                                .serve(ServingModel.at(dir))
                                .maxBatch(batch)
                                .build())
                .sinkTo(new TimingSink<>());
        FIRST.set(0);
        LAST.set(0);
        long start = System.nanoTime();
        env.execute("scoring-bench-" + batch);
        return records / ((System.nanoTime() - start) / 1e9);
    }

    static final java.util.concurrent.atomic.AtomicLong FIRST =
            new java.util.concurrent.atomic.AtomicLong();
    static final java.util.concurrent.atomic.AtomicLong LAST =
            new java.util.concurrent.atomic.AtomicLong();

    /**
     * Steady-state records/s of the last {@link #operator} run: from its first prediction to its
     * last, so the local cluster's start and stop (a second or more on this machine) are not
     * counted against the operator, as the raw loop has none.
     */
    static double steadyRate(int records) {
        return records / ((LAST.get() - FIRST.get()) / 1e9);
    }

    /** Notes the time of the first and the last prediction. */
    static final class TimingSink<T> implements org.apache.flink.api.connector.sink2.Sink<T> {
        @Override
        public org.apache.flink.api.connector.sink2.SinkWriter<T> createWriter(
                org.apache.flink.api.connector.sink2.WriterInitContext context) {
            return new org.apache.flink.api.connector.sink2.SinkWriter<>() {
                @Override
                public void write(T p, Context c) {
                    long now = System.nanoTime();
                    FIRST.compareAndSet(0, now);
                    LAST.set(now);
                }

                @Override
                public void flush(boolean endOfInput) {}

                @Override
                public void close() {}
            };
        }
    }

    /** Records/s of the naive map: one session run per record on a float[1][9]. */
    static double naive(String dir, int records) throws Exception {
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(
                        LocalFlink.configuration(RuntimeExecutionMode.STREAMING, true));
        env.setParallelism(1);
        env.fromSequence(1, records)
                .map(ScoringBenchmark::vector)
                .returns(EngineTypes.ROW)
                .map(new NaiveScorer(dir))
                .returns(Types.FLOAT)
                .sinkTo(new TimingSink<>());
        FIRST.set(0);
        LAST.set(0);
        env.execute("scoring-bench-naive");
        return steadyRate(records);
    }

    /** Flight {@code i}'s row: its model inputs (distance, hour, weekday, six features) set. */
    static FeatureRow vector(long i) {
        Object[] inputs = {
            100 + i % 2000,
            (i / 60) % 24,
            4L,
            i % 17,
            i % 23,
            (double) ((i % 50) - 10),
            (double) ((i % 7) - 3),
            (double) (i % 40),
            (double) ((i % 30) - 5)
        };
        Object[] values = new Object[PLAN.header().size() - 1];
        for (int j = 0; j < POSITIONS.length; j++) {
            values[POSITIONS[j]] = inputs[j];
        }
        return new FeatureRow(i, i * 60_000L, values);
    }

    /** The naive approach: a session per subtask, a Java array and a run() for every record. */
    static final class NaiveScorer extends RichMapFunction<FeatureRow, Float> {
        private final String dir;
        private transient OrtSession session;
        private transient OrtEnvironment env;

        NaiveScorer(String dir) {
            this.dir = dir;
        }

        @Override
        public void open(OpenContext ctx) throws Exception {
            env = OrtEnvironment.getEnvironment();
            byte[] bytes = ModelRegistry.load(dir, ModelGate.builder().build(), SET).bytes();
            try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
                o.setIntraOpNumThreads(1);
                session = env.createSession(bytes, o);
            }
        }

        @Override
        public Float map(FeatureRow v) throws Exception {
            float[][] x = new float[1][ARITY];
            for (int j = 0; j < ARITY; j++) {
                x[0][j] = ((Number) v.values[POSITIONS[j]]).floatValue();
            }
            try (OnnxTensor t = OnnxTensor.createTensor(env, x);
                    OrtSession.Result r = session.run(Map.of("features", t))) {
                return ((float[][]) r.get(0).getValue())[0][0];
            }
        }

        @Override
        public void close() throws Exception {
            if (session != null) {
                session.close();
            }
        }
    }

    static String register(String registry, byte[] model) throws Exception {
        ModelManifest m = new ModelManifest();
        m.featureSet = new ModelManifest.FeatureSetRef(SET.name(), SET.fingerprint());
        for (String c : SET.inputColumns()) {
            m.inputs.add(new ModelManifest.Input(c, 0.0));
        }
        m.inputTensor = new ModelManifest.TensorSpec("features", List.of(-1L, (long) ARITY));
        m.outputTensor = new ModelManifest.TensorSpec("prediction", List.of(-1L, 1L));
        m.task = "regression";
        return new ModelRegistry(registry).register("bench-mlp", "1", model, m);
    }

    /** A d-h-h-1 ReLU MLP (Gemm layers) with random weights. */
    static byte[] mlp(int d, int h, long seed) {
        Random r = new Random(seed);
        OnnxMl.GraphProto.Builder g = OnnxMl.GraphProto.newBuilder().setName("mlp");
        g.addInput(LinearOnnxModel.floatMatrix("features", d))
                .addOutput(LinearOnnxModel.floatMatrix("prediction", 1));
        int[] sizes = {d, h, h, 1};
        String x = "features";
        for (int l = 0; l < 3; l++) {
            String w = "W" + l;
            String b = "B" + l;
            g.addInitializer(
                    tensor(w, new long[] {sizes[l], sizes[l + 1]}, r, Math.sqrt(2.0 / sizes[l])));
            g.addInitializer(tensor(b, new long[] {sizes[l + 1]}, r, 0.01));
            String y = l == 2 ? "prediction" : "h" + l;
            String gemmOut = l == 2 ? y : "g" + l;
            g.addNode(
                    OnnxMl.NodeProto.newBuilder()
                            .setOpType("Gemm")
                            .setName("gemm" + l)
                            .addInput(x)
                            .addInput(w)
                            .addInput(b)
                            .addOutput(gemmOut));
            if (l < 2) {
                g.addNode(
                        OnnxMl.NodeProto.newBuilder()
                                .setOpType("Relu")
                                .setName("relu" + l)
                                .addInput(gemmOut)
                                .addOutput(y));
            }
            x = y;
        }
        return OnnxMl.ModelProto.newBuilder()
                .setIrVersion(8)
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setVersion(17))
                .setGraph(g)
                .build()
                .toByteArray();
    }

    private static OnnxMl.TensorProto tensor(String name, long[] dims, Random r, double scale) {
        OnnxMl.TensorProto.Builder t =
                OnnxMl.TensorProto.newBuilder()
                        .setName(name)
                        .setDataType(OnnxMl.TensorProto.DataType.FLOAT.getNumber());
        long n = 1;
        for (long dim : dims) {
            t.addDims(dim);
            n *= dim;
        }
        for (long i = 0; i < n; i++) {
            t.addFloatData((float) (r.nextGaussian() * scale));
        }
        return t.build();
    }
}
