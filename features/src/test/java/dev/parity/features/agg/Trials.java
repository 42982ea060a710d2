package dev.parity.features.agg;

import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A small property-test runner: {@code tries} random cases from one base seed, each checked, the
 * first failure shrunk greedily and reported with the seed that reproduces it. The base seed is new
 * on every run so that runs explore; {@code -Dparity.agg.seed=N} replays one.
 *
 * <pre>{@code
 * Trials.check("sum is exact", 500, r -> randomDoubles(r), Generators::shorter, xs -> assertExact(xs));
 * }</pre>
 */
public final class Trials {
    private static final String SEED_PROPERTY = "parity.agg.seed";
    private static final int MAX_SHRINK_STEPS = 200;

    private Trials() {}

    public static <C> void check(
            String property,
            int tries,
            Function<SplittableRandom, C> generator,
            Function<C, List<C>> shrinker,
            Consumer<C> check) {
        Long fixed = Long.getLong(SEED_PROPERTY);
        long base = fixed != null ? fixed : new SplittableRandom().nextLong();
        SplittableRandom seeds = new SplittableRandom(base);
        for (int i = 0; i < tries; i++) {
            C c = generator.apply(seeds.split());
            Throwable failure = failure(check, c);
            if (failure != null) {
                C minimal = shrink(c, failure, shrinker, check);
                Throwable minimalFailure = failure(check, minimal);
                AssertionError e =
                        new AssertionError(
                                property
                                        + ": failed on try "
                                        + (i + 1)
                                        + " of "
                                        + tries
                                        + "; replay with -D"
                                        + SEED_PROPERTY
                                        + "="
                                        + base
                                        + "\nshrunk case: "
                                        + minimal
                                        + "\nfailure: "
                                        + minimalFailure,
                                minimalFailure);
                e.addSuppressed(failure);
                throw e;
            }
        }
    }

    private static <C> Throwable failure(Consumer<C> check, C c) {
        try {
            check.accept(c);
            return null;
        } catch (AssertionError | RuntimeException e) {
            return e;
        }
    }

    /** Takes the first smaller candidate that still fails, until none does. */
    private static <C> C shrink(
            C c, Throwable failure, Function<C, List<C>> shrinker, Consumer<C> check) {
        C current = c;
        for (int step = 0; step < MAX_SHRINK_STEPS; step++) {
            C next = null;
            for (C candidate : shrinker.apply(current)) {
                if (failure(check, candidate) != null) {
                    next = candidate;
                    break;
                }
            }
            if (next == null) {
                return current;
            }
            current = next;
        }
        return current;
    }
}
