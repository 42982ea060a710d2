package dev.parity.jobs.batch;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code batch_predictions} read back in the form of the backfill's {@code predictions.csv}, so the
 * batch table can be compared line for line with a backfill or a streamed topic.
 */
public final class BatchPredictionRows {
    private BatchPredictionRows() {}

    /**
     * Every row as {@code id,model,version,prediction} ({@code prediction} printed as the float32
     * it is stored as), ordered by id, model and version.
     */
    public static List<String> lines(Connection c) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement s = c.createStatement()) {
            s.setFetchSize(10_000);
            try (ResultSet rs =
                    s.executeQuery(
                            "SELECT id, model, version, prediction FROM batch_predictions"
                                    + " ORDER BY id, model, version")) {
                while (rs.next()) {
                    out.add(
                            rs.getLong(1)
                                    + ","
                                    + rs.getString(2)
                                    + ","
                                    + rs.getString(3)
                                    + ","
                                    + Float.toString(rs.getFloat(4)));
                }
            }
        }
        return out;
    }
}
