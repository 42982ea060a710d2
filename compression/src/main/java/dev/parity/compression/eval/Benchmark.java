package dev.parity.compression.eval;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Latency at batch 1 and throughput at a large batch for several models <b>side by side in one
 * run</b>: every session is open at once with the same options, warmed up, then measured in
 * interleaved rounds (model order rotated each round) so that machine noise hits all alike.
 */
public final class Benchmark {
    private final int rounds;
    private final int warmup;
    private final int singleCalls;
    private final int batchCalls;
    private final int batchSize;

    public Benchmark(int rounds, int warmup, int singleCalls, int batchCalls, int batchSize) {
        if (rounds < 1 || warmup < 0 || singleCalls < 1 || batchCalls < 1 || batchSize < 1) {
            throw new IllegalArgumentException("benchmark settings must be positive");
        }
        this.rounds = rounds;
        this.warmup = warmup;
        this.singleCalls = singleCalls;
        this.batchCalls = batchCalls;
        this.batchSize = batchSize;
    }

    /** Defaults: 7 rounds, 20 warm-up calls, 200 batch-1 and 20 batch-256 calls a round. */
    public static Benchmark defaults() {
        return new Benchmark(7, 20, 200, 20, 256);
    }

    public int batchSize() {
        return batchSize;
    }

    /** Timings of one model. */
    public static final class Timing {
        public final double p50Micros;
        public final double p99Micros;
        public final double batchP50Micros;

        /** Median over rounds of the rows per second at the large batch. */
        public final double rowsPerSecond;

        public final int batchRows;

        Timing(double p50, double p99, double batchP50, double rowsPerSecond, int batchRows) {
            this.p50Micros = p50;
            this.p99Micros = p99;
            this.batchP50Micros = batchP50;
            this.rowsPerSecond = rowsPerSecond;
            this.batchRows = batchRows;
        }
    }

    /** Measures every model on the same inputs; keys as given. */
    public Map<String, Timing> run(Map<String, byte[]> models, ModelInputs inputs)
            throws OrtException {
        List<String> names = new ArrayList<>(models.keySet());
        List<OrtModel> sessions = new ArrayList<>();
        List<Map<String, OnnxTensor>> single = new ArrayList<>();
        List<Map<String, OnnxTensor>> batch = new ArrayList<>();
        ModelInputs.Batch one = inputs.batch(0, 1);
        int big = Math.min(batchSize, inputs.availableRows());
        ModelInputs.Batch many = inputs.batch(0, big);
        try {
            for (String name : names) {
                OrtModel m = OrtModel.open(models.get(name));
                sessions.add(m);
                single.add(m.tensors(one));
                batch.add(m.tensors(many));
            }
            for (int i = 0; i < sessions.size(); i++) {
                for (int w = 0; w < warmup; w++) {
                    time(sessions.get(i).session(), single.get(i));
                    time(sessions.get(i).session(), batch.get(i));
                }
            }
            int n = names.size();
            long[][] singleNanos = new long[n][rounds * singleCalls];
            long[][] batchNanos = new long[n][rounds * batchCalls];
            for (int r = 0; r < rounds; r++) {
                for (int step = 0; step < n; step++) {
                    int i = (step + r) % n;
                    OrtSession s = sessions.get(i).session();
                    for (int c = 0; c < singleCalls; c++) {
                        singleNanos[i][r * singleCalls + c] = time(s, single.get(i));
                    }
                    for (int c = 0; c < batchCalls; c++) {
                        batchNanos[i][r * batchCalls + c] = time(s, batch.get(i));
                    }
                }
            }
            Map<String, Timing> out = new LinkedHashMap<>();
            for (int i = 0; i < n; i++) {
                // Throughput per round, then the median over rounds: one disturbed round (another
                // process, a frequency change) does not move it.
                long[] perRound = new long[rounds];
                for (int r = 0; r < rounds; r++) {
                    for (int c = 0; c < batchCalls; c++) {
                        perRound[r] += batchNanos[i][r * batchCalls + c];
                    }
                }
                double rowsPerSecond =
                        (double) many.rows * batchCalls / (percentile(perRound, 50) / 1e9);
                out.put(
                        names.get(i),
                        new Timing(
                                percentile(singleNanos[i], 50) / 1e3,
                                percentile(singleNanos[i], 99) / 1e3,
                                percentile(batchNanos[i], 50) / 1e3,
                                rowsPerSecond,
                                many.rows));
            }
            return out;
        } finally {
            for (Map<String, OnnxTensor> t : single) {
                OrtModel.closeAll(t);
            }
            for (Map<String, OnnxTensor> t : batch) {
                OrtModel.closeAll(t);
            }
            for (OrtModel m : sessions) {
                m.close();
            }
        }
    }

    private static long time(OrtSession s, Map<String, OnnxTensor> in) throws OrtException {
        long t0 = System.nanoTime();
        try (OrtSession.Result r = s.run(in)) {
            return System.nanoTime() - t0;
        }
    }

    static double percentile(long[] values, double p) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        int idx = (int) Math.ceil(p / 100 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, idx))];
    }
}
