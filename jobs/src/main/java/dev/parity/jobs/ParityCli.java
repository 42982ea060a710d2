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
import dev.parity.jobs.spec.ValidateCommand;
import dev.parity.jobs.streaming.StreamCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The launcher's entry point: {@code ./parity <command> [options]}. Every command has {@code
 * --help}. Errors in the user's input print one clear line and exit 2; failures of a run exit 1.
 */
@Command(
        name = "parity",
        mixinStandardHelpOptions = true,
        version = "parity 0.1.0",
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
            CommandLine.HelpCommand.class
        })
public final class ParityCli implements Runnable {
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
        CommandLine cli = new CommandLine(new ParityCli());
        StreamCommand.addOptionList(cli.getSubcommands().get("stream"));
        CliErrors.install(cli);
        return cli.execute(args);
    }
}
