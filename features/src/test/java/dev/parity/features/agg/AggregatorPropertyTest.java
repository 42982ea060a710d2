package dev.parity.features.agg;

import static dev.parity.features.agg.Generators.DAY;
import static dev.parity.features.agg.Generators.HOUR;
import static dev.parity.features.agg.Generators.MINUTE;
import static dev.parity.features.agg.States.assertSameValue;
import static dev.parity.features.agg.States.bytes;
import static dev.parity.features.agg.States.roundTrip;
import static org.assertj.core.api.Assertions.assertThat;

import dev.parity.features.agg.NaiveAggregation.Event;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The aggregation core against {@link NaiveAggregation}, for every aggregation and value type:
 * random events, windows and queries, evaluated the way the engine does (adds and removes scheduled
 * per instant, merged in a random order and grouping, states serialized at random points) must
 * answer every query exactly as recomputing from the events in the window does.
 */
class AggregatorPropertyTest {
    private static final int WINDOW_TRIES = 250;
    private static final int ORDER_TRIES = 250;
    private static final int RETRACTION_TRIES = 150;

    static Stream<Arguments> combinations() {
        return Generators.combinations().stream().map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}({1})")
    @MethodSource("combinations")
    void answersEqualTheNaiveReferenceAtEveryQuery(AggregationKind kind, ValueType type) {
        Aggregator<?> agg = Aggregator.of(kind, type);
        Trials.check(
                agg + " over random windows",
                WINDOW_TRIES,
                r -> windowCase(kind, type, r),
                WindowCase::shrink,
                c -> checkWindows(agg, c));
    }

    @ParameterizedTest(name = "{0}({1})")
    @MethodSource("combinations")
    void anyOrderAndGroupingOfTheSameChangesGivesTheSameState(
            AggregationKind kind, ValueType type) {
        Aggregator<?> agg = Aggregator.of(kind, type);
        Trials.check(
                agg + " in two orders",
                ORDER_TRIES,
                r -> changeCase(type, r),
                ChangeCase::shrink,
                c -> checkOrders(agg, c));
    }

    @ParameterizedTest(name = "{0}({1})")
    @MethodSource("combinations")
    void addingThenRemovingEveryEventEmptiesTheRunningAggregate(
            AggregationKind kind, ValueType type) {
        Aggregator<?> agg = Aggregator.of(kind, type);
        Trials.check(
                agg + " add all, remove all",
                RETRACTION_TRIES,
                r -> changeCase(type, r),
                ChangeCase::shrink,
                c -> checkRetraction(agg, c));
    }

    // --- windows, as the engine evaluates them

    /**
     * A spec window with its own definition of membership, independent of {@link
     * dev.parity.features.spec.Window}'s.
     */
    record Window(dev.parity.features.spec.Window spec, long lengthMillis, int days) {
        static Window sliding(long millis) {
            return new Window(
                    dev.parity.features.spec.Window.sliding(Duration.ofMillis(millis)), millis, 0);
        }

        static Window daily(int days) {
            return new Window(dev.parity.features.spec.Window.daily(days), 0, days);
        }

        /** the window rule: {@code [t - W, t)}, or {@code [day(t) - N d, day(t))}. */
        boolean contains(long t, long ts) {
            if (days == 0) {
                return t - lengthMillis <= ts && ts < t;
            }
            long day = Math.floorDiv(t, DAY) * DAY;
            return day - days * DAY <= ts && ts < day;
        }

        @Override
        public String toString() {
            return spec.describe();
        }
    }

    record WindowCase(
            AggregationKind kind,
            ValueType type,
            Window window,
            List<Event> events,
            List<Long> queries,
            long orderSeed) {
        List<WindowCase> shrink() {
            List<WindowCase> out = new ArrayList<>();
            for (List<Event> es : Generators.shorter(events)) {
                out.add(new WindowCase(kind, type, window, es, queries, orderSeed));
            }
            for (List<Long> qs : Generators.shorter(queries)) {
                out.add(new WindowCase(kind, type, window, events, qs, orderSeed));
            }
            return out;
        }
    }

    private static WindowCase windowCase(AggregationKind kind, ValueType type, SplittableRandom r) {
        long[] steps = {1, MINUTE, HOUR, 6 * HOUR};
        long step = steps[r.nextInt(steps.length)];
        // before the epoch too, where day(t) must round down
        long[] bases = {0, -3 * DAY - 17, 978_307_200_000L + 12 * HOUR};
        long base = bases[r.nextInt(bases.length)];
        List<Event> events = Generators.events(type, r, 40, base, step, r.nextInt(4) == 0);
        Window window =
                step >= HOUR && r.nextBoolean()
                        ? Window.daily(r.nextInt(1, 4))
                        : Window.sliding(
                                r.nextInt(1, 12) * step + (r.nextInt(3) == 0 ? r.nextInt(3) : 0));
        List<Long> queries = new ArrayList<>();
        int n = r.nextInt(5, 30);
        for (int i = 0; i < n; i++) {
            if (!events.isEmpty() && r.nextInt(3) != 0) {
                long ts = events.get(r.nextInt(events.size())).time();
                long[] near = {
                    ts - 1,
                    ts,
                    ts + 1,
                    window.spec().validFrom(ts),
                    window.spec().validUntil(ts) - 1,
                    window.spec().validUntil(ts),
                    dev.parity.features.spec.Window.dayOf(ts) + r.nextInt(0, 5) * DAY - r.nextInt(2)
                };
                queries.add(near[r.nextInt(near.length)]);
            } else {
                queries.add(
                        base
                                + r.nextLong(
                                        -step,
                                        26 * step
                                                + (window.days() == 0
                                                        ? window.lengthMillis()
                                                        : (window.days() + 1) * DAY)));
            }
        }
        return new WindowCase(kind, type, window, events, queries, r.nextLong());
    }

    private record Change(long at, Event event, int sign) {}

    private static <S extends AggState<S>> void checkWindows(Aggregator<S> agg, WindowCase c) {
        SplittableRandom r = new SplittableRandom(c.orderSeed());
        List<Change> changes = new ArrayList<>();
        for (Event e : c.events()) {
            changes.add(new Change(c.window().spec().validFrom(e.time()), e, +1));
            changes.add(new Change(c.window().spec().validUntil(e.time()), e, -1));
        }
        shuffle(changes, r);
        // each instant's change built in up to three parts, merged afterwards: associativity
        TreeMap<Long, List<S>> parts = new TreeMap<>();
        for (Change ch : changes) {
            List<S> ps = parts.computeIfAbsent(ch.at(), k -> new ArrayList<>());
            if (ps.isEmpty() || (ps.size() < 3 && r.nextInt(3) == 0)) {
                ps.add(agg.empty());
            }
            S part = ps.get(r.nextInt(ps.size()));
            Event e = ch.event();
            if (r.nextBoolean()) {
                agg.accumulate(part, e.value(), e.time(), e.id(), ch.sign());
            } else {
                part.apply(agg.delta(e.value(), e.time(), e.id(), ch.sign()));
            }
        }
        TreeMap<Long, S> pending = new TreeMap<>();
        parts.forEach(
                (at, ps) -> {
                    shuffle(ps, r);
                    S merged = ps.get(0);
                    for (int i = 1; i < ps.size(); i++) {
                        merged.apply(ps.get(i));
                    }
                    pending.put(at, r.nextInt(4) == 0 ? roundTrip(agg, merged) : merged);
                });

        Set<Long> queries = new HashSet<>(c.queries());
        TreeSet<Long> instants = new TreeSet<>(pending.keySet());
        instants.addAll(queries);
        S running = agg.empty();
        for (long t : instants) {
            S change = pending.get(t);
            if (change != null) {
                agg.advance(running, change);
                if (r.nextInt(5) == 0) {
                    running = roundTrip(agg, running);
                }
            }
            if (queries.contains(t)) {
                List<Event> inWindow =
                        c.events().stream()
                                .filter(e -> c.window().contains(t, e.time()))
                                .collect(Collectors.toList());
                assertSameValue(
                        agg.result(running),
                        NaiveAggregation.aggregate(c.kind(), c.type(), inWindow),
                        agg + " at t=" + t + " over " + Generators.values(inWindow));
            }
        }
        assertThat(running.isEmpty()).as("after every window closed: %s", running).isTrue();
    }

    // --- order, grouping and retraction of one multiset of changes

    /** Events with a sign each; removes of events never added included (pending changes). */
    record ChangeCase(List<Event> events, List<Integer> signs, long orderSeed) {
        List<ChangeCase> shrink() {
            List<ChangeCase> out = new ArrayList<>();
            for (int i = 0; i < events.size(); i++) {
                List<Event> es = new ArrayList<>(events);
                List<Integer> ss = new ArrayList<>(signs);
                es.remove(i);
                ss.remove(i);
                out.add(new ChangeCase(es, ss, orderSeed));
            }
            return out;
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder("[");
            for (int i = 0; i < events.size(); i++) {
                sb.append(signs.get(i) > 0 ? "+" : "-").append(events.get(i)).append(' ');
            }
            return sb.append("] order seed ").append(orderSeed).toString();
        }
    }

    private static ChangeCase changeCase(ValueType type, SplittableRandom r) {
        List<Event> events =
                Generators.events(type, r, 60, 978_307_200_000L, MINUTE, r.nextInt(4) == 0);
        List<Integer> signs = new ArrayList<>();
        events.forEach(e -> signs.add(r.nextInt(5) == 0 ? -1 : +1));
        // some events both added and removed, so parts of the multiset cancel
        int cancelling = events.isEmpty() ? 0 : r.nextInt(events.size() / 2 + 1);
        for (int i = 0; i < cancelling; i++) {
            int j = r.nextInt(events.size());
            events.add(events.get(j));
            signs.add(-signs.get(j));
        }
        return new ChangeCase(events, signs, r.nextLong());
    }

    private static <S extends AggState<S>> void checkOrders(Aggregator<S> agg, ChangeCase c) {
        SplittableRandom r = new SplittableRandom(c.orderSeed());
        int n = c.events().size();

        List<Integer> order = indices(n);
        shuffle(order, r);
        S oneByOne = agg.empty();
        for (int i : order) {
            Event e = c.events().get(i);
            agg.accumulate(oneByOne, e.value(), e.time(), e.id(), c.signs().get(i));
        }

        // another order, in random groups merged pairwise in a random tree
        shuffle(order, r);
        List<S> groups = new ArrayList<>();
        for (int i : order) {
            if (groups.isEmpty() || r.nextInt(3) == 0) {
                groups.add(agg.empty());
            }
            Event e = c.events().get(i);
            groups.get(r.nextInt(groups.size()))
                    .apply(agg.delta(e.value(), e.time(), e.id(), c.signs().get(i)));
        }
        while (groups.size() > 1) {
            S a = groups.remove(r.nextInt(groups.size()));
            S b = groups.remove(r.nextInt(groups.size()));
            a.apply(r.nextBoolean() ? b : roundTrip(agg, b));
            groups.add(a);
        }
        S grouped = groups.isEmpty() ? agg.empty() : groups.get(0);

        assertThat(grouped).isEqualTo(oneByOne);
        assertThat(bytes(grouped)).isEqualTo(bytes(oneByOne));
        assertSameValue(agg.result(grouped), agg.result(oneByOne), agg + " result");

        // the inverse of every change brings the merged change back to nothing
        shuffle(order, r);
        for (int i : order) {
            Event e = c.events().get(i);
            agg.accumulate(grouped, e.value(), e.time(), e.id(), -c.signs().get(i));
        }
        assertThat(grouped.isEmpty()).as("after undoing every change: %s", grouped).isTrue();
        assertThat(bytes(grouped)).isEqualTo(bytes(agg.empty()));
    }

    private static <S extends AggState<S>> void checkRetraction(Aggregator<S> agg, ChangeCase c) {
        SplittableRandom r = new SplittableRandom(c.orderSeed());
        List<Event> events = c.events();
        S running = agg.empty();
        List<Integer> order = indices(events.size());
        shuffle(order, r);
        for (int i : order) {
            Event e = events.get(i);
            agg.advance(running, agg.delta(e.value(), e.time(), e.id(), +1));
        }
        shuffle(order, r);
        for (int i : order) {
            Event e = events.get(i);
            agg.advance(running, agg.delta(e.value(), e.time(), e.id(), -1));
        }
        assertThat(running.isEmpty()).as("after removing everything: %s", running).isTrue();
        assertSameValue(agg.result(running), agg.result(agg.empty()), agg + " of nothing");
        assertThat(bytes(running)).isEqualTo(bytes(agg.empty()));
    }

    private static List<Integer> indices(int n) {
        List<Integer> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(i);
        }
        return out;
    }

    private static <T> void shuffle(List<T> list, SplittableRandom r) {
        Collections.shuffle(list, new Random(r.nextLong()));
    }
}
