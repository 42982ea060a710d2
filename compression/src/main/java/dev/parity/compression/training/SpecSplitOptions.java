package dev.parity.compression.training;

import dev.parity.features.engine.SpecPlan;
import dev.parity.features.spec.FeatureSpec;
import dev.parity.models.FeatureTable;
import dev.parity.models.ModelContract;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The options that say which feature spec a training file was computed with and how its rows are
 * split by time, shared by {@code train} and {@code compress}. Without {@code --spec}, the built-in
 * flights feature set and its months (train January to April, validate May, report June).
 */
public final class SpecSplitOptions {
    @Option(
            names = "--spec",
            paramLabel = "FILE",
            description =
                    "Feature spec the training file was computed with (parity backfill --spec):"
                            + " models read its numeric columns and predict its label. Without"
                            + " it, the built-in flights feature set.")
    Path spec;

    @Option(
            names = "--split-by",
            defaultValue = "time",
            paramLabel = "time",
            description =
                    "How rows are split into train, validation and report: by time, the only"
                            + " split (no row is evaluated before a row it was trained on).")
    String splitBy;

    @Option(
            names = "--time-column",
            paramLabel = "COLUMN",
            description =
                    "With --spec: the timestamp column to split by. Default: the query context's"
                            + " first timestamp column.")
    String timeColumn;

    @Option(
            names = "--validation-from",
            paramLabel = "INSTANT",
            description =
                    "With --spec: first instant of the validation rows (ISO-8601, e.g."
                            + " 2021-01-01T00:00:00Z). Default: the instant below which 70%% of the"
                            + " labelled rows fall.")
    Instant validationFrom;

    @Option(
            names = "--report-from",
            paramLabel = "INSTANT",
            description =
                    "With --spec: first instant of the report rows (ISO-8601). Default: the"
                            + " instant below which 85%% of the labelled rows fall.")
    Instant reportFrom;

    private SpecPlan plan;

    /** The spec's plan, or null without {@code --spec}; checks the options' combination. */
    public SpecPlan plan() {
        if (!"time".equals(splitBy)) {
            throw new IllegalArgumentException(
                    "--split-by: only 'time' is supported, got '" + splitBy + "'");
        }
        if (spec == null) {
            if (validationFrom != null || reportFrom != null || timeColumn != null) {
                throw new IllegalArgumentException(
                        "--validation-from, --report-from and --time-column need --spec; the"
                                + " built-in flights set splits by month (Jan-Apr, May, June)");
            }
            return null;
        }
        if (plan == null) {
            plan = SpecPlan.of(FeatureSpec.load(spec));
            if (!plan.hasLabel()) {
                throw new IllegalArgumentException(
                        "--spec: " + spec + ": the spec declares no label (query.label)");
            }
        }
        return plan;
    }

    /** The contract of {@code --spec}; only with one. */
    public ModelContract contract() {
        return ModelContract.of(plan());
    }

    /** The label column: the header's last. */
    public String labelColumn() {
        List<String> header = plan().header();
        return header.get(header.size() - 1);
    }

    /** The column rows are split by. */
    public String timeColumn() {
        if (timeColumn != null) {
            int column = plan().header().indexOf(timeColumn);
            if (column < 1) {
                throw new IllegalArgumentException(
                        "--time-column: spec "
                                + plan().name()
                                + " has no column '"
                                + timeColumn
                                + "' (columns: "
                                + String.join(", ", plan().header())
                                + ")");
            }
            if (plan().columnTypes()[column - 1] != dev.parity.features.spec.FieldType.TIMESTAMP) {
                throw new IllegalArgumentException(
                        "--time-column: '"
                                + timeColumn
                                + "' is a "
                                + plan().columnTypes()[column - 1].specName()
                                + " column; rows are split by a timestamp");
            }
            return timeColumn;
        }
        return plan().firstTimestampColumn()
                .orElseThrow(
                        () ->
                                new IllegalArgumentException(
                                        "--spec: spec "
                                                + plan().name()
                                                + " has no timestamp column to split by: add the"
                                                + " event time to query.context (e.g. {name: ts,"
                                                + " expr: ts}) and backfill again, or name one"
                                                + " with --time-column"));
    }

    /** Loads {@code csv}'s {@code columns}: split by the spec's time, or by the flights months. */
    public FeatureTable load(Path csv, List<String> columns) throws IOException {
        if (plan() == null) {
            return FeatureTable.load(csv, columns);
        }
        return FeatureTable.load(
                csv,
                columns,
                timeColumn(),
                labelColumn(),
                new FeatureTable.TimeSplit(validationFrom, reportFrom));
    }

    /** The report split's name in metrics: {@code june} for flights, else {@code report}. */
    public String reportName() {
        return plan() == null ? "june" : "report";
    }
}
