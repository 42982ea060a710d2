package dev.parity.jobs.spec;

import dev.parity.features.spec.ContextField;
import dev.parity.features.spec.EventKind;
import dev.parity.features.spec.FeatureDef;
import dev.parity.features.spec.FeatureSpec;
import dev.parity.features.spec.Label;
import dev.parity.features.spec.RowRules;
import dev.parity.features.spec.Source;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code parity validate --spec FILE}: checks a feature spec without starting anything, so a CI
 * step or a user can catch a bad spec before a job does. A valid spec prints a summary (name,
 * fingerprint, kinds, query, features, output header) and exits 0; an invalid one prints one line
 * naming the file, the entry and the field, and exits 2 (through {@code CliErrors}, like every
 * other bad input).
 */
@Command(
        name = "validate",
        mixinStandardHelpOptions = true,
        description = {
            "Validates a feature spec (YAML, see docs/SPEC.md) and prints its summary and"
                    + " fingerprint. Exit code 0 when valid, 2 with one line naming the file,"
                    + " entry and field when not."
        })
public final class ValidateCommand implements Callable<Integer> {
    @Spec CommandSpec command;

    @Option(
            names = "--spec",
            required = true,
            paramLabel = "FILE",
            description = "The feature spec, e.g. examples/flights/flights.yaml.")
    Path spec;

    @Option(
            names = "--verbose",
            description = "On an invalid spec, also print the stack trace (for bug reports).")
    boolean verbose;

    @Override
    public Integer call() {
        FeatureSpec s;
        try {
            s = FeatureSpec.load(spec);
        } catch (IllegalArgumentException e) {
            if (verbose) {
                e.printStackTrace(command.commandLine().getErr());
            }
            throw e; // CliErrors prints the one line and exits 2
        }
        PrintWriter out = command.commandLine().getOut();
        out.println(summary(s));
        out.flush();
        return 0;
    }

    /** The lines printed for a valid spec. */
    static String summary(FeatureSpec s) {
        StringBuilder sb = new StringBuilder();
        line(sb, "spec", s.origin() + ": valid");
        line(sb, "name", s.name());
        line(sb, "fingerprint", s.fingerprint());
        line(
                sb,
                "events",
                s.events().stream().map(ValidateCommand::kind).collect(Collectors.joining("; ")));
        s.source().ifPresent(src -> line(sb, "source", source(src)));
        s.source().ifPresent(src -> rules(sb, "source", src.rules()));
        s.events().forEach(k -> rules(sb, k.name(), k.rules()));
        String label = s.query().label().map(ValidateCommand::label).orElse("no label");
        String context =
                s.query().context().isEmpty()
                        ? "no context"
                        : "context "
                                + s.query().context().stream()
                                        .map(ContextField::name)
                                        .collect(Collectors.joining(", "));
        line(sb, "query", s.query().event() + ", " + context + "; " + label);
        line(sb, "features", String.valueOf(s.features().size()));
        for (FeatureDef f : s.features()) {
            line(sb, "", feature(f));
        }
        line(sb, "header", String.join(",", s.outputHeader()));
        return sb.toString().stripTrailing();
    }

    /** {@code rules <where>: required a, b; checks "x >= 0", ...}, only where there are some. */
    private static void rules(StringBuilder sb, String where, RowRules rules) {
        if (rules.isEmpty()) {
            return;
        }
        List<String> parts = new ArrayList<>();
        if (!rules.required().isEmpty()) {
            parts.add("required " + String.join(", ", rules.required()));
        }
        if (!rules.checks().isEmpty()) {
            parts.add(
                    "checks "
                            + rules.checks().stream()
                                    .map(c -> c.expression().text())
                                    .collect(Collectors.joining(", ")));
        }
        line(sb, "rules", where + ": " + String.join("; ", parts));
    }

    private static void line(StringBuilder sb, String key, String value) {
        sb.append(String.format("%-12s %s%n", key, value));
    }

    private static String kind(EventKind k) {
        return k.name()
                + " ("
                + k.fields().entrySet().stream()
                        .map(e -> e.getKey() + ": " + e.getValue())
                        .collect(Collectors.joining(", "))
                + "; time "
                + k.timeField()
                + k.idField().map(id -> ", id " + id).orElse("")
                + ")";
    }

    private static String source(Source src) {
        return src.fields().size()
                + " row fields -> "
                + src.emits().stream().map(Source.Emit::event).collect(Collectors.joining(", "));
    }

    private static String label(Label l) {
        return "label " + l.name() + (l.fromQueryEvent() ? "" : " (from " + l.event() + " by id)");
    }

    private static String feature(FeatureDef f) {
        return f.name()
                + ": "
                + f.aggregation().specName()
                + f.value().map(v -> "(" + v + ")").orElse("")
                + " of "
                + f.event()
                + " by ["
                + String.join(", ", f.key())
                + "] over "
                + f.window().describe()
                + " -> "
                + f.resultType();
    }
}
