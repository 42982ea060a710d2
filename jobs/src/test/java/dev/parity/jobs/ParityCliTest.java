package dev.parity.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * The launcher's help is consistent: every option and parameter of every command is described,
 * required options are marked (and the marker explained), {@code --version} prints the tool's
 * version everywhere, and an unknown command is one line on stderr with exit code 2.
 */
class ParityCliTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream originalOut;
    private PrintStream originalErr;

    @BeforeEach
    void capture() {
        originalOut = System.out;
        originalErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        System.setOut(originalOut);
        System.setErr(originalErr);
    }

    /** Every command of the launcher, the top level included, depth first. */
    private static List<CommandLine> commands() {
        List<CommandLine> all = new ArrayList<>();
        collect(ParityCli.commandLine(), all);
        return all;
    }

    private static void collect(CommandLine cmd, List<CommandLine> into) {
        into.add(cmd);
        cmd.getSubcommands().values().forEach(sub -> collect(sub, into));
    }

    private static String name(CommandLine cmd, ArgSpec arg) {
        String what =
                arg instanceof OptionSpec
                        ? ((OptionSpec) arg).longestName()
                        : "parameter " + ((PositionalParamSpec) arg).paramLabel();
        return cmd.getCommandSpec().qualifiedName() + " " + what;
    }

    @Test
    void everyOptionAndParameterOfEveryCommandHasADescription() {
        List<String> undescribed = new ArrayList<>();
        int checked = 0;
        for (CommandLine cmd : commands()) {
            List<ArgSpec> args = new ArrayList<>(cmd.getCommandSpec().options());
            args.addAll(cmd.getCommandSpec().positionalParameters());
            for (ArgSpec arg : args) {
                checked++;
                String text = String.join(" ", arg.renderedDescription()).strip();
                // "Default: x." alone says nothing about what the option is
                if (text.isEmpty() || text.matches("(?i)default: [^ ]*")) {
                    undescribed.add(name(cmd, arg));
                }
            }
        }
        assertThat(checked).isGreaterThan(100);
        assertThat(undescribed).as("options without a description").isEmpty();
    }

    @Test
    void requiredOptionsAreMarkedInTheUsageAndTheMarkerIsExplained() {
        int required = 0;
        for (CommandLine cmd : commands()) {
            String usage = cmd.getUsageMessage(CommandLine.Help.Ansi.OFF);
            boolean any = false;
            for (OptionSpec o : cmd.getCommandSpec().options()) {
                java.util.regex.Pattern own =
                        java.util.regex.Pattern.compile(
                                "^([*]?) {1,7}(?:-\\S+, )*"
                                        + java.util.regex.Pattern.quote(o.longestName())
                                        + "(?:[=,\\s\\[]|$)");
                String marker =
                        usage.lines()
                                .map(own::matcher)
                                .filter(java.util.regex.Matcher::find)
                                .map(m -> m.group(1))
                                .findFirst()
                                .orElseThrow(
                                        () ->
                                                new AssertionError(
                                                        name(cmd, o) + " is not in the usage"));
                // an option of an optional exclusive group is "required" only inside its group
                boolean mustBeGiven =
                        o.required() && (o.group() == null || o.group().multiplicity().min() > 0);
                if (mustBeGiven) {
                    required++;
                    any = true;
                    assertThat(marker).as(name(cmd, o)).contains("*");
                } else {
                    assertThat(marker).as(name(cmd, o)).doesNotContain("*");
                }
            }
            if (any) {
                assertThat(usage)
                        .as(cmd.getCommandSpec().qualifiedName())
                        .contains("Options marked * are required.");
            }
        }
        assertThat(required).isGreaterThan(10);
    }

    @Test
    void theBackfillUsageMarksEventsAndOutAsRequired() {
        assertThat(ParityCli.execute("backfill", "--help")).isZero();
        String usage = out.toString(StandardCharsets.UTF_8);
        assertThat(usage)
                .containsPattern("(?m)^\\s*\\* +--events=")
                .containsPattern("(?m)^\\s*\\* +--out=")
                .containsPattern("(?m)^ +--mode=")
                .contains("Options marked * are required.");
    }

    @Test
    void versionPrintsTheToolsVersionOnEveryCommand() {
        for (CommandLine cmd : commands()) {
            String name = cmd.getCommandSpec().qualifiedName();
            if (cmd.getCommandSpec().optionsMap().get("--version") == null) {
                continue; // the help command
            }
            List<String> args =
                    new ArrayList<>(List.of(name.split(" ")).subList(1, name.split(" ").length));
            args.add("--version");
            out.reset();
            assertThat(ParityCli.execute(args.toArray(new String[0]))).as(name).isZero();
            assertThat(out.toString(StandardCharsets.UTF_8).strip())
                    .as(name + " --version")
                    .isEqualTo(ParityCli.VERSION);
        }
    }

    @Test
    void trainsModelVersionIsModelVersionAndItsVersionTheTools() {
        CommandLine train = ParityCli.commandLine().getSubcommands().get("train");
        assertThat(train.getCommandSpec().optionsMap()).containsKey("--model-version");
        assertThat(train.getCommandSpec().findOption("--version").versionHelp()).isTrue();
    }

    @Test
    void anUnknownCommandIsOneLineOnStderrAndExit2EvenWithHelp() {
        for (String[] args :
                List.of(
                        new String[] {"foo", "--help"},
                        new String[] {"foo"},
                        new String[] {"--help", "foo"},
                        new String[] {"help", "foo"})) {
            err.reset();
            out.reset();
            assertThat(ParityCli.execute(args)).as(String.join(" ", args)).isEqualTo(2);
            assertThat(err.toString(StandardCharsets.UTF_8))
                    .isEqualTo(
                            "parity: unknown command 'foo' (see parity --help)"
                                    + System.lineSeparator());
            assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
        }
    }

    @Test
    void aKnownCommandsHelpAndTheTopLevelHelpStillExit0() {
        assertThat(ParityCli.execute("--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("Usage: parity ");
        out.reset();
        assertThat(ParityCli.execute("online", "--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("Usage: parity online");
        assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
    }
}
