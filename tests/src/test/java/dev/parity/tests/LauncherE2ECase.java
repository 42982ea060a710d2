package dev.parity.tests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parity.features.reference.SampleData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher as a user runs it: {@code ./parity} in a child process, on the jars this build just
 * packaged ({@code PARITY_SKIP_BUILD=1}, since Maven is already building them).
 */
class LauncherE2ECase {
    private static final Path ROOT = SampleData.path().getParent().getParent().getParent();

    @TempDir Path tmp;

    @Test
    void everyCommandHasHelp() throws Exception {
        Result top = run("--help");
        assertThat(top.exit).isZero();
        assertThat(top.out)
                .contains(
                        "demo",
                        "backfill",
                        "sample",
                        "baseline",
                        "compress",
                        "export",
                        "train",
                        "replay",
                        "stream",
                        "batch-predict",
                        "batch-cost",
                        "online");
        for (String command :
                List.of(
                        "demo",
                        "backfill",
                        "sample",
                        "baseline",
                        "compress",
                        "export",
                        "train",
                        "replay",
                        "stream",
                        "batch-predict",
                        "batch-cost",
                        "online")) {
            Result r = run(command, "--help");
            assertThat(r.exit).as(command + " --help").isZero();
            assertThat(r.out).contains("Usage: parity " + command);
        }
    }

    @Test
    void demoRunsTheThreeModesAndMatchesTheBackfill() throws Exception {
        Path out = tmp.resolve("demo");
        Result r =
                run("demo", "--out", out.toString(), "--speedup", "20000", "--web-port", "18081");
        assertThat(r.exit).as(r.out).isZero();
        assertThat(r.out)
                .contains("web UI http://localhost:")
                .contains("live prediction: {\"id\":")
                .contains("predictions out:  48,626")
                .contains("duplicates:       0")
                .containsPattern("latency: +p50 \\d+ ms, p99 \\d+ ms")
                .contains("parity: 48626/48626 identical")
                .contains("batch parity: 48626/48626 rows of batch_predictions identical")
                .contains("\"model\":\"flights-online-linear\"")
                .contains("online: 2,000 requests, ")
                .contains("2,000 responses in all, for 2,000 distinct requests")
                .containsPattern("flights-linear/1 +48,626 +2,000 +46,626 +95\\.89%");
        assertThat(Files.readAllLines(out.resolve("backfill/predictions.csv"))).hasSize(48_627);
    }

    @Test
    void demoRunsTheThreeModesOnAnotherSpecsEvents() throws Exception {
        Path out = tmp.resolve("demo-iam");
        Result r =
                run(
                        "demo",
                        "--spec",
                        "examples/iam-policies/iam-policies.yaml",
                        "--events",
                        "examples/iam-policies/sample.csv",
                        "--out",
                        out.toString(),
                        "--web-port",
                        "18181");
        assertThat(r.exit).as(r.out).isZero();
        int versions = Files.readAllLines(out.resolve("backfill/predictions.csv")).size() - 1;
        assertThat(versions).isGreaterThan(1000);
        String n = String.format(java.util.Locale.ROOT, "%d/%d", versions, versions);
        assertThat(r.out)
                .contains("model: least squares of ")
                .contains("into iam_policies_v1.events")
                .contains("live prediction: {\"id\":")
                .contains("duplicates:       0")
                .contains("parity: " + n + " identical")
                .contains("batch parity: " + n + " rows of batch_predictions identical")
                .contains("\"model\":\"iam_policies_v1-online-linear\"")
                .containsPattern("online: ([\\d,]+) requests, \\1 predictions, 0 explicit error")
                .contains("iam_policies_v1-linear/1");
    }

    @Test
    void compressWritesTheVariantsAndBothReportsForTheBundledModel() throws Exception {
        // No training file with June rows is committed: quality is agreement on generated inputs.
        Path out = tmp.resolve("compressed");
        Result r =
                run(
                        "compress",
                        "--model",
                        "models/bundled/flights-linear/1",
                        "--out",
                        out.toString(),
                        "--methods",
                        "fp16,int8-dynamic,prune,lowrank,distill");
        assertThat(r.exit).as(r.out).isZero();
        // the DJL trainer is found, but distillation needs labelled rows
        assertThat(r.out)
                .contains(
                        "method int8-dynamic",
                        "method distill",
                        "needs a training file",
                        "selected");
        assertThat(out.resolve("report.json")).exists();
        assertThat(out.resolve("report.html")).exists();
        for (String v : List.of("1", "1-int8-dynamic", "1-prune-s50", "1-prune-s90")) {
            assertThat(out.resolve("flights-linear/" + v + "/model.onnx")).exists();
            assertThat(out.resolve("flights-linear/" + v + "/manifest.json")).exists();
        }
        Result missing = run("compress", "--model", "no/such/model", "--out", out.toString());
        assertThat(missing.exit).isEqualTo(2);
        assertThat(missing.out).contains("error: --model: no such file or directory");
    }

    @Test
    void exportWritesAnOrtFileAndRejectsBadOptionsInOneLine() throws Exception {
        Path out = tmp.resolve("edge");
        Result r =
                run(
                        "export",
                        "--model",
                        "models/bundled/flights-linear/1",
                        "--target",
                        "edge",
                        "--out",
                        out.toString());
        assertThat(r.exit).as(r.out).isZero();
        assertThat(r.out).contains("loaded back, max |diff|");
        for (String f :
                List.of(
                        "model.ort",
                        "model.onnx",
                        "manifest.json",
                        "export.json",
                        "required_operators.config")) {
            assertThat(out.resolve(f)).isRegularFile();
        }
        Result bad =
                run(
                        "export",
                        "--model",
                        "models/bundled/flights-linear/1",
                        "--target",
                        "phone",
                        "--out",
                        tmp.resolve("phone").toString());
        assertThat(bad.exit).isEqualTo(2);
        assertThat(bad.out).contains("error: --target must be one of [edge, web], got 'phone'");
        assertThat(bad.out).doesNotContain("\tat ");
        assertThat(tmp.resolve("phone")).doesNotExist();
        Result busy =
                run(
                        "export",
                        "--model",
                        "models/bundled/flights-linear/1",
                        "--target",
                        "edge",
                        "--out",
                        out.toString());
        assertThat(busy.exit).isEqualTo(2);
        assertThat(busy.out).contains("already exists and is not an empty directory");
    }

    @Test
    void aMissingInputIsAClearErrorWithExitCode2() throws Exception {
        Result r =
                run(
                        "backfill",
                        "--events",
                        "no/such/file.parquet",
                        "--out",
                        tmp.resolve("out").toString());
        assertThat(r.exit).isEqualTo(2);
        assertThat(r.out).contains("error: --events: cannot read 'no/such/file.parquet'");
    }

    @Test
    void pathsAreTheCallersWhenRunFromAnotherDirectory() throws Exception {
        // a user's own directory: relative paths are resolved there, not in the project
        Path work = Files.createDirectories(tmp.resolve("elsewhere"));
        Files.write(
                work.resolve("mine.csv"),
                Files.readAllLines(ROOT.resolve("data/sample/flights-sample.csv")).subList(0, 301));
        Result r =
                runIn(
                        work,
                        "backfill",
                        "--events",
                        "mine.csv",
                        "--out",
                        "out",
                        "--progress-interval",
                        "PT0S");
        assertThat(r.exit).as(r.out).isZero();
        assertThat(Files.readAllLines(work.resolve("out/features.csv"))).hasSize(301);
    }

    private Result run(String... args) throws IOException, InterruptedException {
        return runIn(ROOT, args);
    }

    private Result runIn(Path dir, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ROOT.resolve("parity").toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb =
                new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().put("PARITY_SKIP_BUILD", "1");
        pb.environment().put("PARITY_JAVA_OPTS", "-Xmx1g");
        Path log = tmp.resolve("launcher-" + System.nanoTime() + ".log");
        pb.redirectOutput(log.toFile());
        Process p = pb.start();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError(
                    "./parity " + String.join(" ", args) + " did not finish in 5 minutes");
        }
        return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    }

    private static final class Result {
        final int exit;
        final String out;

        Result(int exit, String out) {
            this.exit = exit;
            this.out = out;
        }
    }
}
