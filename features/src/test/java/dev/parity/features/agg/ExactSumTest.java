package dev.parity.features.agg;

import static dev.parity.features.agg.States.assertSameValue;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The exact sums: doubles through the superaccumulator, longs through 128 bits, each rounded once
 * to the nearest double, and long means byte for byte what the current engine computes.
 */
class ExactSumTest {
    private static final double HALF_ULP_OF_MAX = Math.ulp(Double.MAX_VALUE) / 2; // 2^970

    private static double sum(double... values) {
        DoubleSumState s = new DoubleSumState();
        for (double v : values) {
            s.add(v, +1);
        }
        return s.sum();
    }

    private static double exact(List<Double> values) {
        BigDecimal s = BigDecimal.ZERO;
        for (double v : values) {
            s = s.add(new BigDecimal(v));
        }
        return s.doubleValue();
    }

    @Test
    void tinyValuesSurviveNextToHugeOnes() {
        DoubleSumState s = new DoubleSumState();
        s.add(1e300, +1);
        s.add(1e-300, +1);
        s.add(-1e300, +1);
        assertThat(s.sum()).isEqualTo(1e-300);
        // floating-point addition in this order loses the small value
        assertThat(1e300 + 1e-300 - 1e300).isEqualTo(0.0);
    }

    @Test
    void aRemovedValueLeavesNoTrace() {
        DoubleSumState s = new DoubleSumState();
        s.add(0.1, +1);
        s.add(1e308, +1);
        s.add(1e308, -1);
        assertThat(s.sum()).isEqualTo(0.1);
        s.add(0.1, -1);
        assertThat(s.isEmpty()).isTrue();
    }

    @Test
    void intermediateSumsBeyondTheDoubleRangeDoNotOverflow() {
        assertThat(sum(Double.MAX_VALUE, Double.MAX_VALUE, -Double.MAX_VALUE))
                .isEqualTo(Double.MAX_VALUE);
        assertThat(sum(1e308, 1e308, -1e308)).isEqualTo(1e308);
    }

    @Test
    void roundsToNearestWithTiesToEven() {
        // exact 0.1 + 0.2 lies exactly between two doubles; the even one is 0.30000000000000004
        assertThat(sum(0.1, 0.2)).isEqualTo(0.30000000000000004);
        // 2^53 + 1 is a tie between 2^53 and 2^53 + 2: even is 2^53; + 3 rounds up to 2^53 + 4
        double two53 = 0x1p53;
        assertThat(sum(two53, 1.0)).isEqualTo(two53);
        assertThat(sum(two53, 1.0, 1.0, 1.0)).isEqualTo(two53 + 4);
        // a tie broken by a far smaller remainder (sticky bits) rounds up
        assertThat(sum(two53, 1.0, 1e-300)).isEqualTo(two53 + 2);
        assertThat(sum(-two53, -1.0, -1e-300)).isEqualTo(-two53 - 2);
    }

    @Test
    void roundsToInfinityExactlyWhereIeeeDoes() {
        assertThat(sum(Double.MAX_VALUE, Double.MAX_VALUE)).isEqualTo(Double.POSITIVE_INFINITY);
        // MAX + half an ulp is a tie; MAX is odd, so it rounds up, to infinity
        assertThat(sum(Double.MAX_VALUE, HALF_ULP_OF_MAX)).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(sum(Double.MAX_VALUE, HALF_ULP_OF_MAX / 2)).isEqualTo(Double.MAX_VALUE);
        assertThat(sum(-Double.MAX_VALUE, -HALF_ULP_OF_MAX)).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(sum(Double.MAX_VALUE, HALF_ULP_OF_MAX, -HALF_ULP_OF_MAX))
                .isEqualTo(Double.MAX_VALUE);
    }

    @Test
    void subnormalsAreExact() {
        assertThat(sum(Double.MIN_VALUE, Double.MIN_VALUE, Double.MIN_VALUE))
                .isEqualTo(3 * Double.MIN_VALUE);
        assertThat(sum(Double.MIN_NORMAL, -Double.MIN_VALUE))
                .isEqualTo(Math.nextDown(Double.MIN_NORMAL));
        assertThat(sum(-Double.MIN_VALUE)).isEqualTo(-Double.MIN_VALUE);
    }

    @Test
    void anExactZeroIsPositiveZero() {
        assertThat(Double.doubleToRawLongBits(sum(-0.0, -0.0))).isEqualTo(0L);
        assertThat(Double.doubleToRawLongBits(sum(0.5, -0.5))).isEqualTo(0L);
    }

    @Test
    void equalSumsAreEqualStatesWithEqualBytes() {
        // the canonical form: what was added and removed again leaves no digits behind
        Superaccumulator a = new Superaccumulator();
        a.add(1e300, +1);
        a.add(1.0, +1);
        a.add(1e-300, +1);
        a.add(1e300, -1);
        a.add(1e-300, -1);
        Superaccumulator b = new Superaccumulator();
        b.add(-1.0, +1);
        b.add(2.0, +1);
        Superaccumulator one = new Superaccumulator();
        one.add(1.0, +1);
        assertThat(a).isEqualTo(one).hasSameHashCodeAs(one);
        assertThat(b).isEqualTo(one);
        assertThat(one.digitCount()).isEqualTo(1);
        assertThat(a.digitCount()).isEqualTo(1);
        DoubleSumState x = new DoubleSumState();
        x.add(1e300, +1);
        x.add(1.0, +1);
        x.add(1e300, -1);
        DoubleSumState y = new DoubleSumState();
        y.add(1.0, +1);
        assertThat(States.bytes(x)).isEqualTo(States.bytes(y));
    }

    @Test
    void nanAndInfinitiesAreCountedApartSoTheyCanLeave() {
        DoubleSumState s = new DoubleSumState();
        s.add(1.5, +1);
        s.add(Double.POSITIVE_INFINITY, +1);
        assertThat(s.sum()).isEqualTo(Double.POSITIVE_INFINITY);
        s.add(Double.NEGATIVE_INFINITY, +1);
        assertThat(s.sum()).isNaN();
        s.add(Double.POSITIVE_INFINITY, -1);
        assertThat(s.sum()).isEqualTo(Double.NEGATIVE_INFINITY);
        s.add(Double.NaN, +1);
        assertThat(s.sum()).isNaN();
        s.add(Double.NaN, -1);
        s.add(Double.NEGATIVE_INFINITY, -1);
        assertThat(s.sum()).isEqualTo(1.5);
        assertThat(s.count()).isEqualTo(1);
    }

    @Test
    void theAccumulatorRejectsNonFiniteValues() {
        assertThatThrownBy(() -> new Superaccumulator().add(Double.NaN, +1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("NaN");
    }

    @Test
    void everyPairSumsLikeOneIeeeAddition() {
        // one IEEE addition is correctly rounded, so it is an oracle independent of BigDecimal;
        // + 0.0 turns the -0.0 that IEEE gives for -0.0 + -0.0 into the exact sum's +0.0
        Trials.check(
                "a + b",
                20_000,
                r -> new double[] {pairValue(r), pairValue(r)},
                c -> List.of(),
                c -> assertSameValue(sum(c[0], c[1]), c[0] + c[1] + 0.0, c[0] + " + " + c[1]));
    }

    private static double pairValue(SplittableRandom r) {
        // near pairs cancel, far pairs round: both are where a sum goes wrong
        return r.nextBoolean()
                ? Generators.anyFiniteDouble(r)
                : Generators.aDouble(r, r.nextInt(1, 10), false);
    }

    @Test
    void longListsWithRemovalsMatchBigDecimal() {
        Trials.check(
                "exact double sums",
                600,
                ExactSumTest::doubleList,
                c -> Generators.shorter(c),
                values -> {
                    DoubleSumState s = new DoubleSumState();
                    List<Double> kept = new ArrayList<>();
                    // every third value leaves again, after all were added
                    for (double v : values) {
                        s.add(v, +1);
                    }
                    for (int i = 0; i < values.size(); i++) {
                        if (i % 3 == 2) {
                            s.add(values.get(i), -1);
                        } else {
                            kept.add(values.get(i));
                        }
                    }
                    double expected = kept.isEmpty() ? 0.0 : exact(kept);
                    assertSameValue(s.sum(), expected, "sum of " + kept);
                    assertThat(s.count()).isEqualTo(kept.size());
                });
    }

    private static List<Double> doubleList(SplittableRandom r) {
        int n = r.nextInt(0, 200);
        List<Double> out = new ArrayList<>(n);
        // one kind of values per list some of the time, so cancellation gets its turn
        int only = r.nextInt(3) == 0 ? r.nextInt(1, 10) : 0;
        for (int i = 0; i < n; i++) {
            out.add(Generators.aDouble(r, only != 0 ? only : r.nextInt(1, 10), false));
        }
        return out;
    }

    @Test
    void longSumsAreExactAndLongMeansAreDoubleSumOverCount() {
        Aggregator<?> sum = Aggregator.of(AggregationKind.SUM, ValueType.LONG);
        Aggregator<?> mean = Aggregator.of(AggregationKind.MEAN, ValueType.LONG);
        Trials.check(
                "long sums and means",
                3_000,
                ExactSumTest::longList,
                c -> Generators.shorter(c),
                values -> {
                    LongSumState s = new LongSumState();
                    BigInteger exact = BigInteger.ZERO;
                    long wrapped = 0;
                    for (long v : values) {
                        s.add(v, +1);
                        exact = exact.add(BigInteger.valueOf(v));
                        wrapped += v;
                    }
                    if (values.isEmpty()) {
                        assertThat(s.isEmpty()).isTrue();
                        return;
                    }
                    assertSameValue(s.sum(), exact.doubleValue(), "sum of " + values);
                    assertSameValue(
                            s.sum() / values.size(),
                            exact.doubleValue() / values.size(),
                            "mean of " + values);
                    assertThat(s.fitsInLong()).isEqualTo(exact.bitLength() < 64);
                    if (s.fitsInLong()) {
                        // what the current engine computes, when its long sum does not wrap
                        assertThat(s.exactSum()).isEqualTo(wrapped);
                        assertSameValue(
                                s.sum() / values.size(),
                                (double) wrapped / values.size(),
                                "mean of " + values);
                    }
                    assertSameValue(result(sum, values), exact.doubleValue(), "sum");
                    assertSameValue(
                            result(mean, values), exact.doubleValue() / values.size(), "mean");
                });
    }

    private static List<Long> longList(SplittableRandom r) {
        int n = r.nextInt(0, 30);
        List<Long> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Object v = Generators.value(ValueType.LONG, r, false);
            out.add(v == null ? Long.MIN_VALUE + r.nextLong(3) : (Long) v);
        }
        return out;
    }

    private static <S extends AggState<S>> Object result(Aggregator<S> agg, List<Long> values) {
        S running = agg.empty();
        for (int i = 0; i < values.size(); i++) {
            agg.advance(running, agg.delta(values.get(i), i, i, +1));
        }
        return agg.result(running);
    }

    @Test
    void longMeansBeyond2To53RoundTheSumFirstLikeTheCurrentEngine() {
        long value = 9_007_199_254_741_355L; // odd, above 2^53: not a double
        LongSumState s = new LongSumState();
        for (int i = 0; i < 3; i++) {
            s.add(value, +1);
        }
        assertThat(s.exactSum()).isEqualTo(3 * value);
        // (double) sum rounds 27021597764224065 down to ...064 before dividing ...
        assertThat(s.sum() / s.count())
                .isEqualTo((double) (3 * value) / 3)
                .isEqualTo(9.007199254741354E15);
        // ... while the double nearest to the true mean (a tie, to even) is the next one up: the
        // compatibility costs one ulp here
        assertThat(new BigDecimal(value).doubleValue()).isEqualTo(9.007199254741356E15);
    }

    @Test
    void longSumsBeyondTheLongRangeDoNotWrap() {
        LongSumState s = new LongSumState();
        for (int i = 0; i < 3; i++) {
            s.add(1L << 62, +1);
        }
        assertThat(s.fitsInLong()).isFalse();
        assertThat(s.sum()).isEqualTo(3 * 0x1p62);
        assertThat(s.sum() / s.count()).isEqualTo(0x1p62);
        // where a long sum, as in WindowAggregates, wraps to a negative mean
        assertThat((double) (3 * (1L << 62)) / 3).isNegative();
        assertThatThrownBy(s::exactSum).isInstanceOf(ArithmeticException.class);

        s.add(1L << 62, -1);
        s.add(1L << 62, -1);
        assertThat(s.fitsInLong()).isTrue();
        assertThat(s.exactSum()).isEqualTo(1L << 62);

        LongSumState negative = new LongSumState();
        negative.add(Long.MIN_VALUE, +1);
        negative.add(Long.MIN_VALUE, +1);
        negative.add(-1, +1);
        assertThat(negative.sum()).isEqualTo(-0x1p64);
        assertThat(negative.fitsInLong()).isFalse();
    }
}
