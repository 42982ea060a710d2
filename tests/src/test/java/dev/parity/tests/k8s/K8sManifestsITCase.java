package dev.parity.tests.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parity.jobs.config.KnownConfigKeys;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.kubernetes.operator.api.spec.FlinkDeploymentSpec;
import org.apache.flink.runtime.util.EnvironmentInformation;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every manifest in {@code k8s/} read into the Flink Kubernetes Operator's CRD classes and checked
 * against the shaded job jar, the options Flink and Parity declare, and the README (see {@link
 * K8sManifests}). An ITCase because it needs the jar that {@code package} builds.
 *
 * <p>The operator API release that resolves from Maven Central here (1.10.0) predates Flink 2.x and
 * has no {@code v2_2} constant; {@link K8sManifests} checks {@code spec.flinkVersion} against the
 * Flink version on the class path and reads the rest with the newest constant the API has.
 */
class K8sManifestsITCase {
    private static final Path K8S = K8sManifests.k8sDir();

    private static File jobJar;
    private static KnownConfigKeys known;
    private static String readme;
    private static String flinkVersion;
    private static String streamingManifest;

    @BeforeAll
    static void setUp() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("..", "jobs", "target"))) {
            jobJar =
                    s.filter(p -> p.getFileName().toString().matches("parity-jobs-.*-job\\.jar"))
                            .findFirst()
                            .orElseThrow(
                                    () ->
                                            new IllegalStateException(
                                                    "no jobs/target/parity-jobs-*-job.jar: run"
                                                            + " `mvn package` on the jobs module"))
                            .toFile();
        }
        known = KnownConfigKeys.fromClassPath();
        readme = Files.readString(K8S.resolve("README.md"));
        flinkVersion = EnvironmentInformation.getVersion();
        assertThat(flinkVersion).matches("\\d+\\.\\d+\\.\\d+.*");
        streamingManifest = Files.readString(K8S.resolve("flink-deployment.yaml"));
    }

    private static K8sManifests manifests() {
        return new K8sManifests(jobJar, known, readme, flinkVersion);
    }

    @Test
    void everyManifestIsValid() throws IOException {
        K8sManifests m = manifests();
        List<String> problems = new ArrayList<>();
        List<String> files = new ArrayList<>();
        try (Stream<Path> s = Files.list(K8S)) {
            for (Path p : s.sorted().toList()) {
                String name = p.getFileName().toString();
                if (name.endsWith(".yaml") || name.endsWith(".yml")) {
                    files.add(name);
                    problems.addAll(m.check(name, Files.readString(p)));
                }
            }
        }
        assertThat(files)
                .contains("flink-deployment.yaml", "backfill-batch.yaml", "kafka-topics.yaml");
        assertThat(problems).isEmpty();
        // Every topic a job is configured with is declared as a KafkaTopic.
        assertThat(m.topicsUsed)
                .contains(
                        "flights.events",
                        "flights.predictions",
                        "flights.deadletter",
                        "flights.late",
                        "flights.models");
        assertThat(m.topicsDeclared).containsAll(m.topicsUsed);
        // The README tells the apply order for every manifest.
        for (String f : files) {
            assertThat(readme).as("README applies " + f).contains("kubectl apply -f k8s/" + f);
        }
    }

    @Test
    void theImageHasTheJarWhereTheManifestsLookAndTheFlinkOfTheBuild() throws IOException {
        K8sManifests m = manifests();
        m.check("flink-deployment.yaml", streamingManifest);
        m.check("backfill-batch.yaml", Files.readString(K8S.resolve("backfill-batch.yaml")));
        String dockerfile = Files.readString(K8S.resolve("Dockerfile"));
        assertThat(m.localJars).containsExactly("/opt/flink/usrlib/parity-jobs-job.jar");
        Matcher copy = Pattern.compile("(?m)^COPY .* (\\S+)\\s*$").matcher(dockerfile);
        List<String> copied = new ArrayList<>();
        while (copy.find()) {
            copied.add(copy.group(1));
        }
        assertThat(copied).containsAll(m.localJars);
        assertThat(dockerfile).contains("ARG FLINK_IMAGE=flink:" + flinkVersion + "-java17");
        assertThat(dockerfile).containsPattern("(?m)^USER flink\\s*$");
        assertThat(dockerfile).contains("/opt/flink/plugins/metrics-prometheus/");
    }

    /**
     * The streaming FlinkDeployment runs with flink-conf/config.yaml's settings: every key there
     * has the same (parsed) value in its flinkConfiguration or arguments, except what the operator
     * owns on Kubernetes or a deployment must set for itself.
     */
    @Test
    void theStreamingDeploymentMirrorsFlinkConf() throws IOException {
        K8sManifests m = manifests();
        assertThat(m.check("flink-deployment.yaml", streamingManifest)).isEmpty();
        assertThat(mirrorProblems(m)).isEmpty();

        K8sManifests drifted = manifests();
        drifted.check(
                "flink-deployment.yaml",
                edit(
                                "execution.checkpointing.interval: 10s",
                                "execution.checkpointing.interval: 20s")
                        .replace("    pipeline.object-reuse: \"true\"\n", "")
                        .replace("memory: 4096m", "memory: 4000m"));
        assertThat(mirrorProblems(drifted))
                .containsExactlyInAnyOrder(
                        "execution.checkpointing.interval: PT10S in flink-conf, PT20S in the"
                                + " deployment",
                        "pipeline.object-reuse: missing in the deployment",
                        "taskmanager.memory.process.size: 4096m in flink-conf,"
                                + " taskManager.resource.memory 4000m");
    }

    private static List<String> mirrorProblems(K8sManifests m) {
        // The operator sets addresses and ports per pod and process memory from the resources.
        Set<String> operatorOwned =
                Set.of(
                        "jobmanager.rpc.address",
                        "jobmanager.rpc.port",
                        "jobmanager.bind-host",
                        "taskmanager.bind-host",
                        "taskmanager.host",
                        "rest.address",
                        "rest.bind-address",
                        "rest.port",
                        "jobmanager.memory.process.size",
                        "taskmanager.memory.process.size",
                        "parallelism.default");
        // Per deployment: storage, endpoints, the model; one reporter port per pod.
        Set<String> deploymentOwned =
                Set.of(
                        "execution.checkpointing.dir",
                        "execution.checkpointing.savepoint-dir",
                        "parity.kafka.bootstrap-servers",
                        "parity.model.dir",
                        "metrics.reporter.prom.port");
        Configuration flinkConf =
                GlobalConfiguration.loadConfiguration(Path.of("..", "flink-conf").toString());
        FlinkDeploymentSpec spec = m.deployments.get("parity-streaming");
        Configuration deployed = m.jobConfigurations.get("parity-streaming");
        assertThat(spec).as("FlinkDeployment parity-streaming").isNotNull();
        List<String> problems = new ArrayList<>();
        for (String key : new TreeSet<>(flinkConf.keySet())) {
            if (operatorOwned.contains(key)) {
                continue;
            }
            if (!deployed.containsKey(key)) {
                problems.add(key + ": missing in the deployment");
                continue;
            }
            if (deploymentOwned.contains(key)) {
                continue;
            }
            Object here = value(flinkConf, key);
            Object there = value(deployed, key);
            if (!here.equals(there)) {
                problems.add(key + ": " + here + " in flink-conf, " + there + " in the deployment");
            }
        }
        compareMemory(
                problems,
                flinkConf,
                "jobmanager.memory.process.size",
                "jobManager",
                spec.getJobManager().getResource().getMemory());
        compareMemory(
                problems,
                flinkConf,
                "taskmanager.memory.process.size",
                "taskManager",
                spec.getTaskManager().getResource().getMemory());
        return problems;
    }

    private static Object value(Configuration conf, String key) {
        return known.option(key).<Object>map(conf::get).orElse(conf.toMap().get(key));
    }

    private static void compareMemory(
            List<String> problems, Configuration conf, String key, String role, String memory) {
        String expected = conf.toMap().get(key);
        if (!MemorySize.parse(expected).equals(MemorySize.parse(memory))) {
            problems.add(
                    key
                            + ": "
                            + expected
                            + " in flink-conf, "
                            + role
                            + ".resource.memory "
                            + memory);
        }
    }

    // Each check can fail: the streaming manifest with one deliberate mistake.

    @Test
    void anEntryClassTheJarLacksOrWithoutMainIsCaught() throws IOException {
        assertProblem(
                edit(
                        "entryClass: dev.parity.jobs.streaming.StreamingPredictionJob",
                        "entryClass: dev.parity.jobs.streaming.StreamingPredictonJob"),
                "entry class dev.parity.jobs.streaming.StreamingPredictonJob is not in");
        assertProblem(
                edit(
                        "entryClass: dev.parity.jobs.streaming.StreamingPredictionJob",
                        "entryClass: dev.parity.jobs.streaming.StreamingOptions"),
                "entry class dev.parity.jobs.streaming.StreamingOptions has no main(String[])");
        // on the test class path (the tests module's own classes) but not in the job jar
        assertProblem(
                edit(
                        "entryClass: dev.parity.jobs.streaming.StreamingPredictionJob",
                        "entryClass: dev.parity.tests.k8s.K8sManifestsITCase"),
                "is not in " + jobJar.getName());
    }

    @Test
    void unknownArgumentsAndBadValuesAreCaught() throws IOException {
        assertProblem(
                edit("- --parity.model.dir", "- --parity.modle.dir"),
                "argument --parity.modle.dir is not a StreamingOptions key");
        assertProblem(
                edit(
                        "      - file:///opt/parity/models/flights-linear/1\n",
                        "      - file:///opt/parity/models/flights-linear/1\n      - --x\n"),
                "argument --x has no value");
        assertProblem(
                edit(
                        "      - --parity.model.dir",
                        "      - --parity.scoring.max-batch\n      - many\n      - --parity.model.dir"),
                "args: parity.scoring.max-batch:");
        assertProblem(
                edit(
                        "      - --parity.model.dir\n      - file:///opt/parity/models/flights-linear/1\n",
                        ""),
                "the job needs parity.model.dir");
    }

    @Test
    void unknownConfigKeysAndBadValuesAreCaught() throws IOException {
        assertProblem(
                edit(
                        "execution.checkpointing.interval: 10s",
                        "execution.checkpointing.intervall: 10s"),
                "flinkConfiguration: unknown key execution.checkpointing.intervall");
        assertProblem(
                edit(
                        "execution.checkpointing.interval: 10s",
                        "execution.checkpointing.interval: often"),
                "flinkConfiguration: execution.checkpointing.interval:");
        assertProblem(
                edit("parity.events.idleness: 30s", "parity.events.idlenes: 30s"),
                "unknown key parity.events.idlenes");
    }

    @Test
    void statefulUpgradesNeedTheirStorage() throws IOException {
        assertProblem(
                edit(
                        "    execution.checkpointing.savepoint-dir:"
                                + " s3://REPLACE-ME-bucket/parity/savepoints\n",
                        ""),
                "upgradeMode SAVEPOINT needs execution.checkpointing.savepoint-dir");
        assertProblem(
                edit("    execution.checkpointing.interval: 10s\n", ""),
                "upgradeMode SAVEPOINT needs checkpoints");
        assertProblem(
                edit("upgradeMode: savepoint", "upgradeMode: last-state")
                        .replace("    high-availability.type: kubernetes\n", ""),
                "upgradeMode last-state needs high availability");
    }

    @Test
    void misspeltOrMisplacedFieldsAreCaught() throws IOException {
        assertProblem(
                edit("upgradeMode: savepoint", "upgradMode: savepoint"),
                "unknown field spec.job.upgradMode");
        assertProblem(
                edit("              readOnly: true", "              readOnyl: true"),
                "unknown field(s) [readOnyl]");
        assertProblem(edit("upgradeMode: savepoint", "upgradeMode: sometimes"), "not a valid");
        assertProblem(
                edit("flinkVersion: v2_2", "flinkVersion: v1_20"),
                "spec.flinkVersion is v1_20, the job is built on Flink " + flinkVersion);
    }

    @Test
    void inlineSecretsAreCaught() throws IOException {
        assertProblem(
                edit(
                        "    pipeline.object-reuse: \"true\"",
                        "    pipeline.object-reuse: \"true\"\n    properties.sasl.jaas.config:"
                                + " org.apache.kafka.common.security.plain.PlainLoginModule"
                                + " required username=\"u\" password=\"p\";"),
                "properties.sasl.jaas.config has an inline value");
        assertProblem(
                edit(
                        "          ports:",
                        "          env:\n            - name: KAFKA_PASSWORD\n"
                                + "              value: hunter2\n          ports:"),
                "sets KAFKA_PASSWORD inline");
        assertProblem(
                edit(
                        "      - /opt/parity/secrets/kafka/client.properties",
                        "      - /opt/parity/secrets/kafka/client.properties\n"
                                + "      - --parity.kafka.ssl-keystore-password\n      - changeit"),
                "passes --parity.kafka.ssl-keystore-password inline");
        assertProblem(
                "apiVersion: v1\nkind: Secret\nmetadata:\n  name: x\nstringData:\n  a: b\n",
                "a Secret in k8s/");
    }

    @Test
    void secretsMustBeCreatedByTheReadmeAndHoldTheClientFile() throws IOException {
        assertProblem(
                edit("secretName: parity-kafka-client", "secretName: parity-kafka-creds"),
                "Secret parity-kafka-creds is used but k8s/README.md has no");
        assertProblem(
                edit(
                        "      - /opt/parity/secrets/kafka/client.properties",
                        "      - /etc/kafka/client.properties"),
                "parity.kafka.client-properties-file /etc/kafka/client.properties is not on a"
                        + " mounted Secret");
    }

    @Test
    void kafkaTopicsAreChecked() throws IOException {
        String topic =
                "apiVersion: kafka.strimzi.io/v1beta2\nkind: KafkaTopic\nmetadata:\n"
                        + "  name: t\n  labels:\n    strimzi.io/cluster: c\nspec:\n"
                        + "  topicName: t\n  partitions: 3\n  replicas: 3\n";
        assertThat(manifests().check("t.yaml", topic)).isEmpty();
        assertProblem(topic.replace("  partitions: 3\n", ""), "spec.partitions must be");
        assertProblem(topic.replace("partitions:", "partitons:"), "unknown field(s) [partitons]");
        assertProblem(
                topic.replace("    strimzi.io/cluster: c\n", "    a: b\n"), "strimzi.io/cluster");
        assertProblem(topic.replace("partitions: 3", "partitions: many"), "not a valid KafkaTopic");
        assertProblem("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n", "unexpected kind");
    }

    private static String edit(String from, String to) {
        assertThat(streamingManifest)
                .as("the manifest still contains '" + from + "'")
                .contains(from);
        return streamingManifest.replace(from, to);
    }

    private static void assertProblem(String yaml, String expected) throws IOException {
        List<String> problems = manifests().check("test.yaml", yaml);
        assertThat(problems).anySatisfy(p -> assertThat(p).contains(expected));
    }
}
