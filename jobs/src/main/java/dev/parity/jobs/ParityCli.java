package dev.parity.jobs;

import dev.parity.compression.CompressCommand;
import dev.parity.compression.export.ExportCommand;
import dev.parity.compression.training.TrainCommand;
import dev.parity.jobs.backfill.BackfillCommand;
import dev.parity.jobs.batch.BatchCostCommand;
import dev.parity.jobs.batch.BatchPredictCommand;
import dev.parity.jobs.data.SampleCommand;
import dev.parity.jobs.demo.DemoCommand;
import dev.parity.jobs.kafka.ReplayCommand;
import dev.parity.jobs.local.LocalCommand;
import dev.parity.jobs.model.BaselineCommand;
import dev.parity.jobs.online.OnlineCommand;
import dev.parity.jobs.online.RequestCommand;
import dev.parity.jobs.spec.ValidateCommand;
import dev.parity.jobs.streaming.StreamCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The launcher's entry point: {@code ./parity <command> [options]}. Every command has {@code
 * --help} and {@code --version} (the tool's version), marks its required options with {@code *} and
 * says so in its usage. Errors in the user's input, an unknown command included, print one clear
 * line and exit 2; failures of a run exit 1.
 */
@Command(
        name = "parity",
        mixinStandardHelpOptions = true,
        version = ParityCli.VERSION,
        description = "Point-in-time flight features and predictions on Apache Flink.",
        subcommands = {
            DemoCommand.class,
            BackfillCommand.class,
            BatchPredictCommand.class,
            BatchCostCommand.class,
            OnlineCommand.class,
            SampleCommand.class,
            BaselineCommand.class,
            CompressCommand.class,
            ExportCommand.class,
            TrainCommand.class,
            ReplayCommand.class,
            StreamCommand.class,
            ValidateCommand.class,
            LocalCommand.class,
            RequestCommand.class,
            CommandLine.HelpCommand.class
        })
public final class ParityCli implements Runnable {
    /** What {@code --version} prints, on every command. */
    public static final String VERSION = "parity 0.1.0";

    /** Marks a required option in every command's usage. */
    public static final char REQUIRED_MARKER = '*';

    /** The line every command's usage ends with, explaining {@link #REQUIRED_MARKER}. */
    static final String REQUIRED_NOTE = "Options marked " + REQUIRED_MARKER + " are required.";

    /** Exit code of an error in the user's input. */
    static final int USAGE_ERROR = 2;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the CLI and returns its exit code (tests call this instead of {@link #main}). */
    public static int execute(String... args) {
        CommandLine cli = commandLine();
        String unknown = unknownCommand(cli, args);
        if (unknown != null) {
            cli.getErr()
                    .println(
                            "parity: unknown command '"
                                    + unknown
                                    + "' (see "
                                    + cli.getCommandName()
                                    + " --help)");
            cli.getErr().flush();
            return USAGE_ERROR;
        }
        return cli.execute(args);
    }

    /**
     * The launcher's command tree as {@link #execute} runs it: every command with {@code --version}
     * printing {@link #VERSION}, required options marked and the marker explained, Parity's error
     * handling installed.
     */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new ParityCli());
        StreamCommand.addOptionList(cli.getSubcommands().get("stream"));
        configure(cli);
        CliErrors.install(cli);
        return cli;
    }

    /** {@code cmd} and its subcommands, recursively: version, required marker and its note. */
    private static void configure(CommandLine cmd) {
        CommandLine.Model.CommandSpec spec = cmd.getCommandSpec();
        spec.version(VERSION);
        CommandLine.Model.UsageMessageSpec usage = spec.usageMessage();
        usage.requiredOptionMarker(REQUIRED_MARKER);
        if (hasRequiredOption(spec)) {
            String[] footer = usage.footer();
            String[] withNote = java.util.Arrays.copyOf(footer, footer.length + 1);
            withNote[footer.length] = (footer.length == 0 ? "%n" : "") + REQUIRED_NOTE;
            usage.footer(withNote);
        }
        for (CommandLine sub : cmd.getSubcommands().values()) {
            configure(sub);
        }
    }

    /** Whether {@code spec} has an option that must be given (not one of an optional group). */
    private static boolean hasRequiredOption(CommandLine.Model.CommandSpec spec) {
        return spec.options().stream()
                        .anyMatch(
                                o ->
                                        o.required()
                                                && (o.group() == null
                                                        || o.group().multiplicity().min() > 0))
                || spec.positionalParameters().stream()
                        .anyMatch(CommandLine.Model.PositionalParamSpec::required);
    }

    /**
     * The first argument when it names no command (the top level takes no value options, so it is
     * the first that does not start with {@code -}), or the one after {@code help}; null when it
     * names one, or when there is none. Without this check picocli ignores an unknown word next to
     * {@code --help} and exits 0 with the top-level help.
     */
    private static String unknownCommand(CommandLine cli, String[] args) {
        boolean afterHelp = false;
        for (String arg : args) {
            if (arg.equals("--")) {
                return null;
            }
            if (arg.startsWith("-")) {
                continue;
            }
            if (!cli.getSubcommands().containsKey(arg)) {
                return arg;
            }
            if (afterHelp || !arg.equals("help")) {
                return null;
            }
            afterHelp = true;
        }
        return null;
    }
}
