package dev.parity.tests.bench;

import dev.parity.jobs.kafka.EmbeddedKafka;
import dev.parity.tests.kafka.ChaosRun;
import dev.parity.tests.kafka.LatenessRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * The chaos run of issue 12 over many seeds (ChaosParityITCase keeps three in CI): per seed the
 * schedule and the verdict, then the totals. Exit code 1 if any run had a silent difference, a
 * missing flight or a duplicate.
 *
 * <pre>
 * tests/bench/run.sh ChaosBenchmark 1 50 [idleness, e.g. PT1S or 0] [alignment drift, e.g. PT5M or 0]
 * </pre>
 */
public final class ChaosBenchmark {
    private ChaosBenchmark() {}

    public static void main(String[] args) throws Exception {
        long from = args.length > 0 ? Long.parseLong(args[0]) : 1;
        long to = args.length > 1 ? Long.parseLong(args[1]) : 50;
        Duration idleness = args.length > 2 ? duration(args[2]) : ChaosRun.IDLENESS;
        Duration alignment = args.length > 3 ? duration(args[3]) : Duration.ZERO;
        Path tmp = Files.createTempDirectory("parity-chaos");
        long late = 0;
        long explained = 0;
        long incomplete = 0;
        long silent = 0;
        long broken = 0;
        int runs = 0;
        double seconds = 0;
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            ChaosRun.Reference ref = new ChaosRun.Reference(tmp);
            for (long seed = from; seed <= to; seed++) {
                ChaosRun.Result r = ChaosRun.run(kafka, ref, seed, idleness, alignment);
                LatenessRun.Verdict v = r.verdict;
                System.out.println("[chaos] " + r);
                v.silentExamples.forEach(x -> System.out.println("[chaos]   silent: " + x));
                runs++;
                late += v.lateEvents;
                explained += v.explained;
                incomplete += v.incomplete;
                silent += v.silent;
                broken += v.missing + v.duplicates;
                seconds += r.seconds;
            }
        }
        System.out.printf(
                Locale.ROOT,
                "[chaos] %d runs (seeds %d-%d, %d flights each, idleness %s, alignment %s, %.0f s):"
                        + " late events %d (%.1f per run), predictions explained by a late record"
                        + " %d, flights incomplete %d, silent differences %d, missing or"
                        + " duplicated %d%n",
                runs,
                from,
                to,
                ChaosRun.FLIGHTS,
                idleness,
                alignment,
                seconds,
                late,
                late / (double) runs,
                explained,
                incomplete,
                silent,
                broken);
        System.exit(silent == 0 && broken == 0 ? 0 : 1);
    }

    private static Duration duration(String s) {
        return s.equals("0") ? Duration.ZERO : Duration.parse(s);
    }
}
