package dev.parity.tests.sql;

import dev.parity.features.engine.EventRow;
import dev.parity.features.engine.LinePartSink;
import dev.parity.features.engine.RowDecoder;
import dev.parity.features.engine.SpecFileInput;
import dev.parity.features.engine.SpecPlan;
import dev.parity.features.spec.BundledSpec;
import java.time.Duration;
import java.time.ZoneOffset;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.Schema;
import org.apache.flink.table.api.Table;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.types.Row;
import org.apache.flink.util.Collector;

/**
 * {@code origin_dep_1h} and {@code origin_delay_mean_6h} written as Flink SQL OVER windows, the way
 * a team would without Parity, to check our values and compare throughput.
 *
 * <p>SQL's {@code RANGE ... CURRENT ROW} window is {@code [t - W, t]} and includes rows tied with
 * the current one; the feature window is {@code [t - W, t)}. Each departure therefore becomes a
 * query row at {@code t} and each contribution is moved to {@code ts + 1 ms} with the window
 * shortened by 1 ms: a contribution at {@code ts} is then seen by a query at {@code t} exactly when
 * {@code t - W <= ts < t} (times are integer milliseconds).
 */
public final class SqlOverWindowFeatures {
    static final String QUERY = "q";
    static final String DEPARTURE = "d";
    static final String ARRIVAL = "a";
    static final SpecPlan PLAN = SpecPlan.of(BundledSpec.flights());
    private static final int DEPARTURE_KIND = PLAN.kind("departure").index();
    private static final int ORIGIN = PLAN.kind("departure").fieldIndex("origin");
    private static final int ARRIVAL_ORIGIN = PLAN.kind("arrival").fieldIndex("origin");
    private static final int DELAY = PLAN.kind("arrival").fieldIndex("delay");

    private SqlOverWindowFeatures() {}

    /** Adds the SQL job reading {@code eventsFile} to {@code env} (for benchmarks). */
    public static void build(
            StreamExecutionEnvironment env, String eventsFile, String partsDir, boolean batch) {
        build(StreamTableEnvironment.create(env), events(env, eventsFile), partsDir, batch);
    }

    /** The flights file's events, read with the bundled flights spec. */
    static DataStream<EventRow> events(StreamExecutionEnvironment env, String eventsFile) {
        return SpecFileInput.read(
                        env,
                        eventsFile,
                        RowDecoder.forSource(PLAN),
                        Duration.ofMinutes(5),
                        "events")
                .events();
    }

    /** Adds the SQL job to the stream environment behind {@code tEnv}; writes two part outputs. */
    static void build(
            StreamTableEnvironment tEnv,
            DataStream<EventRow> events,
            String partsDir,
            boolean batch) {
        DataStream<Row> rows =
                events.flatMap(SqlOverWindowFeatures::toRows)
                        .returns(
                                Types.ROW_NAMED(
                                        new String[] {"kind", "id", "origin", "ts", "delay"},
                                        Types.STRING,
                                        Types.LONG,
                                        Types.STRING,
                                        Types.LONG,
                                        Types.LONG))
                        .name("sql-rows");
        // A TIMESTAMP(3) rowtime in UTC: streaming OVER windows do not support interval bounds
        // on TIMESTAMP_LTZ, and UTC keeps the order free of daylight-saving jumps.
        tEnv.getConfig().setLocalTimeZone(ZoneOffset.UTC);
        Table ev =
                tEnv.fromDataStream(
                        rows,
                        Schema.newBuilder()
                                .columnByExpression(
                                        "rt", "CAST(TO_TIMESTAMP_LTZ(ts, 3) AS TIMESTAMP(3))")
                                .watermark("rt", "SOURCE_WATERMARK()")
                                .build());
        tEnv.createTemporaryView("ev", ev);

        Table dep1h =
                tEnv.sqlQuery(
                        "SELECT id, n FROM ("
                                + " SELECT kind, id,"
                                + "  SUM(CASE WHEN kind = 'd' THEN 1 ELSE 0 END) OVER w AS n"
                                + " FROM ev"
                                + window(
                                        batch,
                                        "INTERVAL '59:59.999' MINUTE TO SECOND(3)",
                                        3_599_999L)
                                + ") WHERE kind = 'q'");
        Table delay6h =
                tEnv.sqlQuery(
                        "SELECT id, CASE WHEN c = 0 THEN CAST(NULL AS DOUBLE)"
                                + "  ELSE CAST(s AS DOUBLE) / CAST(c AS DOUBLE) END AS m FROM ("
                                + " SELECT kind, id,"
                                + "  SUM(CASE WHEN kind = 'a' THEN delay ELSE 0 END) OVER w AS s,"
                                + "  SUM(CASE WHEN kind = 'a' THEN 1 ELSE 0 END) OVER w AS c"
                                + " FROM ev"
                                + window(
                                        batch,
                                        "INTERVAL '5:59:59.999' HOUR TO SECOND(3)",
                                        21_599_999L)
                                + ") WHERE kind = 'q'");

        tEnv.toDataStream(dep1h)
                .sinkTo(
                        new LinePartSink<Row>(
                                partsDir, "sql-dep1h", r -> r.getField(0) + "," + r.getField(1)))
                .name("write-sql-dep1h");
        tEnv.toDataStream(delay6h)
                .sinkTo(
                        new LinePartSink<Row>(
                                partsDir,
                                "sql-delay6h",
                                r ->
                                        r.getField(0)
                                                + ","
                                                + (r.getField(1) == null
                                                        ? ""
                                                        : Double.toString((Double) r.getField(1)))))
                .name("write-sql-delay6h");
    }

    /**
     * The window clause. STREAMING OVER windows must order by the rowtime attribute with an
     * interval bound; Flink 2.2's BATCH planner fails to compile interval bounds on a timestamp
     * ("Unsupported temporal arithmetic" / a RangeBoundComparator cast error), so BATCH orders by
     * the epoch-millisecond column with a numeric bound, which means the same.
     */
    private static String window(boolean batch, String interval, long millis) {
        return batch
                ? " WINDOW w AS (PARTITION BY origin ORDER BY ts RANGE BETWEEN "
                        + millis
                        + " PRECEDING AND CURRENT ROW)"
                : " WINDOW w AS (PARTITION BY origin ORDER BY rt RANGE BETWEEN "
                        + interval
                        + " PRECEDING AND CURRENT ROW)";
    }

    private static void toRows(EventRow e, Collector<Row> out) {
        if (e.kind == DEPARTURE_KIND) {
            String origin = (String) e.values[ORIGIN];
            out.collect(Row.of(QUERY, e.id, origin, e.time, 0L));
            out.collect(Row.of(DEPARTURE, e.id, origin, e.time + 1, 0L));
        } else {
            out.collect(
                    Row.of(
                            ARRIVAL,
                            e.id,
                            (String) e.values[ARRIVAL_ORIGIN],
                            e.time + 1,
                            (Long) e.values[DELAY]));
        }
    }
}
