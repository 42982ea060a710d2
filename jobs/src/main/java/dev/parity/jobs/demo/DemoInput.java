package dev.parity.jobs.demo;

import dev.parity.features.engine.EventRow;
import dev.parity.features.engine.SpecFileInput;
import dev.parity.features.engine.SpecPlan;
import dev.parity.jobs.backfill.BackfillJob;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * What the demo needs to know of its events file before it runs the jobs, read in one pass with the
 * backfill's decoder: the event-time span (to pace the replay), that it holds a query event, and a
 * seeded sample of the query events (the online requests), bounded by {@code maxRequests} whatever
 * the file's size.
 */
final class DemoInput {
    final long firstTime;
    final long lastTime;
    final List<EventRow> requests;

    private DemoInput(long firstTime, long lastTime, List<EventRow> requests) {
        this.firstTime = firstTime;
        this.lastTime = lastTime;
        this.requests = requests;
    }

    static DemoInput read(SpecPlan plan, BackfillJob.Input input, int maxRequests, long seed)
            throws IOException {
        int query = plan.queryKind().index();
        long[] span = {Long.MAX_VALUE, Long.MIN_VALUE};
        boolean[] anyQuery = {false};
        long[] seen = {0};
        List<EventRow> sample = new ArrayList<>(maxRequests);
        Random random = new Random(seed);
        SpecFileInput.forEachRow(
                input.file(),
                input.decoder(),
                r -> {
                    if (!r.isValid()) {
                        return true; // the backfill reports it
                    }
                    for (EventRow e : r.events) {
                        span[0] = Math.min(span[0], e.time);
                        span[1] = Math.max(span[1], e.time);
                        if (e.kind != query) {
                            continue;
                        }
                        anyQuery[0] = true;
                        // reservoir sampling: every query event equally likely
                        seen[0]++;
                        if (sample.size() < maxRequests) {
                            sample.add(e);
                        } else {
                            long j = (long) (random.nextDouble() * seen[0]);
                            if (j < maxRequests) {
                                sample.set((int) j, e);
                            }
                        }
                    }
                    return true;
                });
        if (!anyQuery[0]) {
            throw new IllegalArgumentException(
                    "--events "
                            + input.file()
                            + ": no valid "
                            + plan.queryKind().name()
                            + " event to predict");
        }
        return new DemoInput(span[0], span[1], sample);
    }
}
