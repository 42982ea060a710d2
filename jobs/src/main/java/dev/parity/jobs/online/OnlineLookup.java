package dev.parity.jobs.online;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parity.features.engine.DecodedRow;
import dev.parity.features.engine.EventJson;
import dev.parity.features.engine.EventRow;
import dev.parity.features.engine.FeatureRow;
import dev.parity.features.engine.FieldValues;
import dev.parity.features.engine.SpecPlan;
import dev.parity.features.spec.Window;
import dev.parity.jobs.batch.JdbcTarget;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Turns a request, one event of the spec's query kind as JSON ({@link EventJson}, the kind member
 * optional; flights: a departure {@code {id, time, origin, dest, distance}}), into the spec's
 * feature row: the context computed from the request by the spec's expressions, each daily feature
 * from {@code feature_snapshots} of the request's entity on its UTC day, every other column null
 * (an online model does not read them, see {@link dev.parity.models.ModelContract#online}).
 *
 * <p>On a day a {@code batch-predict} run covered ({@code snapshot_days}), an entity without
 * snapshot rows has empty windows and gets the empty-window values, exactly as a backfill row
 * would; on any other day the request is answered with an error on {@link #ERRORS}, never a guess.
 * So is a request that is not a valid query event.
 */
final class OnlineLookup extends ProcessFunction<byte[], FeatureRow> {
    private static final long serialVersionUID = 1L;
    private static final int COVERED_DAYS_CACHED = 366;
    static final OutputTag<byte[]> ERRORS = new OutputTag<>("online-errors") {};
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SpecPlan plan;
    private final JdbcTarget db;
    private transient EventJson json;
    private transient Connection connection;
    private transient PreparedStatement snapshots;
    private transient PreparedStatement covered;
    private transient Map<LocalDate, Boolean> coveredDays;

    OnlineLookup(SpecPlan plan, JdbcTarget db) {
        this.plan = plan;
        this.db = db;
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        json = new EventJson(plan);
        connection = db.connect();
        snapshots =
                connection.prepareStatement(
                        "SELECT feature, value FROM feature_snapshots"
                                + " WHERE spec_fingerprint = ? AND entity = ? AND day = ?");
        covered =
                connection.prepareStatement(
                        "SELECT 1 FROM snapshot_days WHERE spec_fingerprint = ?"
                                + " AND ? BETWEEN first_day AND last_day LIMIT 1");
        // bounded: only days found covered are kept (a day never becomes uncovered)
        coveredDays =
                new LinkedHashMap<>(16, 0.75f, true) {
                    @Override
                    protected boolean removeEldestEntry(Map.Entry<LocalDate, Boolean> eldest) {
                        return size() > COVERED_DAYS_CACHED;
                    }
                };
    }

    @Override
    public void close() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {snapshots, covered, connection}) {
            if (c != null) {
                c.close();
            }
        }
    }

    @Override
    public void processElement(byte[] raw, Context ctx, Collector<FeatureRow> out)
            throws Exception {
        DecodedRow decoded = json.decode("request", 0, raw, plan.queryKind());
        if (!decoded.isValid()) {
            ctx.output(ERRORS, error(null, null, decoded.reason));
            return;
        }
        EventRow e = decoded.events[0];
        if (e.kind != plan.queryKind().index()) {
            ctx.output(
                    ERRORS,
                    error(
                            e.id,
                            null,
                            "a request is a "
                                    + plan.queryKind().name()
                                    + " event, not "
                                    + plan.kind(e.kind).name()));
            return;
        }
        LocalDate day = LocalDate.ofEpochDay(Math.floorDiv(Window.dayOf(e.time), 86_400_000L));
        SpecPlan.Column[] context = plan.context();
        Object[] values = new Object[plan.width()];
        try {
            for (int i = 0; i < context.length; i++) {
                values[i] = context[i].valueOf(e);
            }
        } catch (RuntimeException ex) {
            ctx.output(ERRORS, error(e.id, day, "bad request: " + ex.getMessage()));
            return;
        }
        Map<Integer, Map<String, String>> byGroup = new HashMap<>();
        for (SpecPlan.Slot slot : plan.features()) {
            if (!slot.window().isDaily()) {
                continue;
            }
            String entity = plan.groups().get(slot.group()).entityOf(e);
            Object value = slot.emptyValue();
            if (entity != null) {
                Map<String, String> rows = byGroup.get(slot.group());
                if (rows == null) {
                    rows = lookUp(entity, day);
                    byGroup.put(slot.group(), rows);
                }
                if (rows.isEmpty() && !isCovered(day)) {
                    ctx.output(
                            ERRORS,
                            error(
                                    e.id,
                                    day,
                                    "no feature snapshots of spec "
                                            + plan.name()
                                            + " for "
                                            + day
                                            + ": run batch-predict over that day"));
                    return;
                }
                if (!rows.isEmpty()) {
                    if (!rows.containsKey(slot.name())) {
                        ctx.output(
                                ERRORS,
                                error(
                                        e.id,
                                        day,
                                        "no feature snapshot of "
                                                + slot.name()
                                                + " for "
                                                + entity
                                                + " on "
                                                + day));
                        return;
                    }
                    value = FieldValues.parse(slot.def().resultType(), rows.get(slot.name()));
                }
            }
            values[context.length + slot.feature()] = value;
        }
        out.collect(new FeatureRow(e.id, e.time, values));
    }

    private Map<String, String> lookUp(String entity, LocalDate day) throws Exception {
        Map<String, String> rows = new HashMap<>();
        snapshots.setString(1, plan.fingerprint());
        snapshots.setString(2, entity);
        snapshots.setObject(3, day);
        try (ResultSet rs = snapshots.executeQuery()) {
            while (rs.next()) {
                rows.put(rs.getString(1), rs.getString(2));
            }
        }
        return rows;
    }

    private boolean isCovered(LocalDate day) throws Exception {
        if (coveredDays.containsKey(day)) {
            return true;
        }
        covered.setString(1, plan.fingerprint());
        covered.setObject(2, day);
        try (ResultSet rs = covered.executeQuery()) {
            if (rs.next()) {
                coveredDays.put(day, Boolean.TRUE);
                return true;
            }
        }
        return false;
    }

    /** {@code {request_id, feature_day, error}}. */
    static byte[] error(Long requestId, LocalDate day, String reason) {
        ObjectNode n = JSON.createObjectNode();
        if (requestId == null) {
            n.putNull("request_id");
        } else {
            n.put("request_id", requestId);
        }
        if (day == null) {
            n.putNull("feature_day");
        } else {
            n.put("feature_day", day.toString());
        }
        n.put("error", reason);
        return n.toString().getBytes(StandardCharsets.UTF_8);
    }
}
