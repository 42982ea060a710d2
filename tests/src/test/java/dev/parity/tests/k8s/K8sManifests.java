package dev.parity.tests.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.parity.jobs.config.KnownConfigKeys;
import dev.parity.jobs.streaming.StreamingOptions;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.strimzi.api.kafka.model.topic.KafkaTopic;
import io.strimzi.api.kafka.model.topic.KafkaTopicSpec;
import java.io.File;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.HighAvailabilityOptions;
import org.apache.flink.kubernetes.operator.api.FlinkDeployment;
import org.apache.flink.kubernetes.operator.api.FlinkSessionJob;
import org.apache.flink.kubernetes.operator.api.spec.AbstractFlinkSpec;
import org.apache.flink.kubernetes.operator.api.spec.FlinkDeploymentSpec;
import org.apache.flink.kubernetes.operator.api.spec.FlinkVersion;
import org.apache.flink.kubernetes.operator.api.spec.JobSpec;
import org.apache.flink.kubernetes.operator.api.spec.UpgradeMode;

/**
 * Reads Kubernetes manifests into the Flink Kubernetes Operator's and Strimzi's CRD classes
 * (fabric8 models for core kinds) and reports, one line each, what a cluster would only reveal at
 * deploy or run time: an entry class the job jar lacks, an argument or configuration key nobody
 * declares, a value its option cannot parse, an inline secret, a Secret the README does not tell
 * how to create.
 *
 * <pre>{@code
 * K8sManifests m = new K8sManifests(jobJar, KnownConfigKeys.fromClassPath(), readme, "2.2.1");
 * List<String> problems = m.check("flink-deployment.yaml", yaml);
 * }</pre>
 */
final class K8sManifests {
    private static final String STRIMZI_GROUP = "kafka.strimzi.io/";

    /** The entry class whose required options (bootstrap servers, model) are checked. */
    static final String STREAMING_JOB = "dev.parity.jobs.streaming.StreamingPredictionJob";

    /** A key or value that must never be inline: credentials go in Secrets. */
    private static final Pattern SECRET_KEY =
            Pattern.compile(
                    "(?i).*(password|passwd|sasl\\.jaas\\.config|secret-key|secret_key|access-key"
                            + "|access_key|token|private-key|private_key|credentials).*");

    private static final Pattern SECRET_VALUE =
            Pattern.compile(
                    "(?is).*(password\\s*=|sasl\\.jaas\\.config|LoginModule\\s+required"
                            + "|-----BEGIN [A-Z ]*PRIVATE KEY-----).*");

    private static final Pattern README_SECRET =
            Pattern.compile("kubectl create secret generic ([a-z0-9][a-z0-9.-]*)");

    private final File jobJar;
    private final KnownConfigKeys known;
    private final String readme;
    private final String flinkVersion;
    private final KubernetesSerialization serialization = new KubernetesSerialization();
    private final ObjectMapper yaml = new YAMLMapper();

    /** Topic names the manifests configure for a job, and the KafkaTopics that exist. */
    final Set<String> topicsUsed = new LinkedHashSet<>();

    final Set<String> topicsDeclared = new LinkedHashSet<>();

    /** In-image paths of {@code local://} job jars. */
    final Set<String> localJars = new LinkedHashSet<>();

    /** Each FlinkDeployment by name: its spec and flinkConfiguration with the job's arguments. */
    final Map<String, FlinkDeploymentSpec> deployments = new LinkedHashMap<>();

    final Map<String, Configuration> jobConfigurations = new LinkedHashMap<>();

    K8sManifests(File jobJar, KnownConfigKeys known, String readme, String flinkVersion) {
        this.jobJar = jobJar;
        this.known = known;
        this.readme = readme;
        this.flinkVersion = flinkVersion;
    }

    /** The operator's enum value for a Flink release, e.g. v2_2 for 2.2.1. */
    static String operatorVersionName(String flinkVersion) {
        String[] parts = flinkVersion.split("\\.");
        return "v" + parts[0] + "_" + parts[1];
    }

    /** Problems of every document in one YAML file; empty when it is fine. */
    List<String> check(String file, String text) throws IOException {
        List<String> problems = new ArrayList<>();
        List<JsonNode> docs = yaml.readerFor(JsonNode.class).<JsonNode>readValues(text).readAll();
        int n = 0;
        for (JsonNode doc : docs) {
            n++;
            if (doc == null || doc.isNull() || doc.isMissingNode()) {
                continue;
            }
            String where = file + "#" + n + " " + doc.path("kind").asText("?");
            checkNoInlineSecrets(where, doc, "", problems);
            String kind = doc.path("kind").asText("");
            String apiVersion = doc.path("apiVersion").asText("");
            if (kind.equals("FlinkDeployment")) {
                checkFlinkDeployment(where, (ObjectNode) doc, problems);
            } else if (kind.equals("FlinkSessionJob")) {
                FlinkSessionJob job = typed(where, doc, FlinkSessionJob.class, problems);
                if (job != null) {
                    checkFlinkSpec(where, job.getSpec(), null, problems);
                }
            } else if (kind.equals("KafkaTopic") && apiVersion.startsWith(STRIMZI_GROUP)) {
                checkKafkaTopic(where, doc, problems);
            } else if (kind.equals("PersistentVolumeClaim") && apiVersion.equals("v1")) {
                typed(where, doc, PersistentVolumeClaim.class, problems);
            } else if (kind.equals("Secret")) {
                problems.add(
                        where
                                + ": a Secret in k8s/ would commit its values; create it with kubectl");
            } else {
                problems.add(where + ": unexpected kind " + apiVersion + "/" + kind);
            }
        }
        if (n == 0) {
            problems.add(file + ": no YAML document");
        }
        return problems;
    }

    private void checkFlinkDeployment(String where, ObjectNode doc, List<String> problems) {
        // The operator API that resolves here may predate the Flink release the manifest targets.
        // Check the version name against Flink on this class path, then let the typed read use the
        // newest constant the API has, so every other field is still checked by its CRD class.
        String expected = operatorVersionName(flinkVersion);
        JsonNode spec = doc.path("spec");
        String declared = spec.path("flinkVersion").asText(null);
        if (!expected.equals(declared)) {
            problems.add(
                    where
                            + ": spec.flinkVersion is "
                            + declared
                            + ", the job is built on Flink "
                            + flinkVersion
                            + " ("
                            + expected
                            + ")");
        }
        ObjectNode copy = doc.deepCopy();
        if (declared != null && !hasConstant(declared)) {
            ((ObjectNode) copy.get("spec")).put("flinkVersion", FlinkVersion.current().name());
        }
        FlinkDeployment d = typed(where, copy, FlinkDeployment.class, problems);
        if (d == null) {
            return;
        }
        FlinkDeploymentSpec s = d.getSpec();
        if (s.getImage() == null || s.getImage().isBlank()) {
            problems.add(where + ": spec.image is missing");
        }
        List<PodTemplateSpec> templates = new ArrayList<>();
        if (s.getPodTemplate() != null) {
            templates.add(s.getPodTemplate());
        }
        if (s.getJobManager() != null && s.getJobManager().getPodTemplate() != null) {
            templates.add(s.getJobManager().getPodTemplate());
        }
        if (s.getTaskManager() != null && s.getTaskManager().getPodTemplate() != null) {
            templates.add(s.getTaskManager().getPodTemplate());
        }
        Configuration merged = checkFlinkSpec(where, s, templates, problems);
        deployments.put(d.getMetadata().getName(), s);
        jobConfigurations.put(d.getMetadata().getName(), merged);
    }

    private static boolean hasConstant(String name) {
        for (FlinkVersion v : FlinkVersion.values()) {
            if (v.name().equals(name)) {
                return true;
            }
        }
        return false;
    }

    /** Checks the spec; returns its flinkConfiguration with the job's arguments applied. */
    private Configuration checkFlinkSpec(
            String where,
            AbstractFlinkSpec spec,
            List<PodTemplateSpec> templates,
            List<String> problems) {
        Map<String, String> flinkConf =
                spec.getFlinkConfiguration() == null
                        ? Map.of()
                        : new LinkedHashMap<>(spec.getFlinkConfiguration());
        Configuration conf = Configuration.fromMap(flinkConf);
        problems.addAll(known.problems(where + " flinkConfiguration", conf));

        JobSpec job = spec.getJob();
        if (job == null) {
            return conf;
        }
        if (job.getUpgradeMode() == null) {
            problems.add(where + ": spec.job.upgradeMode is not set");
        } else if (job.getUpgradeMode() != UpgradeMode.STATELESS) {
            // What the operator's validator requires before it upgrades with state.
            if (!conf.contains(CheckpointingOptions.SAVEPOINT_DIRECTORY)) {
                problems.add(
                        where
                                + ": upgradeMode "
                                + job.getUpgradeMode()
                                + " needs "
                                + CheckpointingOptions.SAVEPOINT_DIRECTORY.key());
            }
            if (!conf.contains(CheckpointingOptions.CHECKPOINTS_DIRECTORY)
                    || !conf.contains(CheckpointingOptions.CHECKPOINTING_INTERVAL)) {
                problems.add(
                        where
                                + ": upgradeMode "
                                + job.getUpgradeMode()
                                + " needs checkpoints ("
                                + CheckpointingOptions.CHECKPOINTS_DIRECTORY.key()
                                + ", "
                                + CheckpointingOptions.CHECKPOINTING_INTERVAL.key()
                                + ")");
            }
            if (job.getUpgradeMode() == UpgradeMode.LAST_STATE
                    && "NONE".equalsIgnoreCase(conf.get(HighAvailabilityOptions.HA_MODE))) {
                problems.add(where + ": upgradeMode last-state needs high availability");
            }
        }
        String jar = job.getJarURI();
        if (jar == null || !jar.startsWith("local:///")) {
            problems.add(
                    where + ": spec.job.jarURI should be a local:/// path in the image: " + jar);
        } else {
            localJars.add(jar.substring("local://".length()));
        }
        if (job.getEntryClass() == null) {
            problems.add(where + ": spec.job.entryClass is not set");
        } else {
            checkEntryClass(where, job.getEntryClass(), problems);
        }
        Map<String, String> args = parseArgs(where, job.getArgs(), problems);
        Configuration merged = new Configuration(conf);
        args.forEach(merged::setString);
        if (STREAMING_JOB.equals(job.getEntryClass())) {
            for (ConfigOption<String> required :
                    List.of(StreamingOptions.BOOTSTRAP_SERVERS, StreamingOptions.MODEL_DIR)) {
                if (!merged.contains(required)) {
                    problems.add(where + ": the job needs " + required.key());
                }
            }
            for (ConfigOption<String> topic :
                    List.of(
                            StreamingOptions.EVENTS_TOPIC,
                            StreamingOptions.PREDICTIONS_TOPIC,
                            StreamingOptions.DEADLETTER_TOPIC,
                            StreamingOptions.LATE_TOPIC,
                            StreamingOptions.CONTROL_TOPIC)) {
                String name = merged.get(topic);
                if (name != null) {
                    topicsUsed.add(name);
                }
            }
        }
        String clientFile = merged.get(StreamingOptions.CLIENT_PROPERTIES_FILE);
        if (templates != null) {
            checkPods(where, templates, clientFile, problems);
        }
        return merged;
    }

    /** {@code --key value} pairs; every key must be one of Parity's options, its value parse. */
    private Map<String, String> parseArgs(String where, String[] args, List<String> problems) {
        Map<String, String> out = new LinkedHashMap<>();
        if (args == null) {
            return out;
        }
        Set<String> parityKeys = new LinkedHashSet<>();
        for (ConfigOption<?> o : StreamingOptions.all()) {
            parityKeys.add(o.key());
        }
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) {
                problems.add(where + ": argument '" + a + "' is not a --key");
                continue;
            }
            String key = a.substring(2);
            if (i + 1 >= args.length || args[i + 1].startsWith("--")) {
                problems.add(where + ": argument --" + key + " has no value");
                continue;
            }
            String value = args[++i];
            if (!parityKeys.contains(key)) {
                problems.add(
                        where
                                + ": argument --"
                                + key
                                + " is not a StreamingOptions key (parity stream --help lists them)");
                continue;
            }
            out.put(key, value);
            Configuration single = new Configuration();
            single.setString(key, value);
            problems.addAll(known.problems(where + " args", single));
        }
        return out;
    }

    /** The class is in the job jar itself (not only on this test's class path) and has main. */
    private void checkEntryClass(String where, String className, List<String> problems) {
        String entry = className.replace('.', '/') + ".class";
        try (java.util.jar.JarFile jar = new java.util.jar.JarFile(jobJar)) {
            if (jar.getJarEntry(entry) == null) {
                problems.add(
                        where + ": entry class " + className + " is not in " + jobJar.getName());
                return;
            }
        } catch (IOException e) {
            problems.add(where + ": cannot read " + jobJar + ": " + e);
            return;
        }
        try (URLClassLoader loader = new JarFirstClassLoader(jobJar.toURI().toURL())) {
            Class<?> c = Class.forName(className, false, loader);
            URL from = c.getProtectionDomain().getCodeSource().getLocation();
            if (!from.sameFile(jobJar.toURI().toURL())) {
                problems.add(where + ": " + className + " was loaded from " + from);
            }
            Method main = c.getMethod("main", String[].class);
            if (!Modifier.isStatic(main.getModifiers()) || main.getReturnType() != void.class) {
                problems.add(where + ": " + className + ".main(String[]) is not static void");
            }
        } catch (NoSuchMethodException e) {
            problems.add(where + ": entry class " + className + " has no main(String[])");
        } catch (ClassNotFoundException | LinkageError | IOException e) {
            problems.add(where + ": cannot load " + className + " from the job jar: " + e);
        }
    }

    /**
     * Every Secret a pod uses must be one the README tells how to create, and the Kafka client
     * properties file must live on a mounted Secret.
     */
    private void checkPods(
            String where,
            List<PodTemplateSpec> templates,
            String clientFile,
            List<String> problems) {
        Set<String> readmeSecrets = new LinkedHashSet<>();
        Matcher m = README_SECRET.matcher(readme);
        while (m.find()) {
            readmeSecrets.add(m.group(1));
        }
        Map<String, String> secretVolumes = new LinkedHashMap<>();
        Set<String> secretsUsed = new LinkedHashSet<>();
        List<VolumeMount> mounts = new ArrayList<>();
        for (PodTemplateSpec t : templates) {
            if (t.getSpec() == null) {
                continue;
            }
            for (Volume v : nonNull(t.getSpec().getVolumes())) {
                if (v.getSecret() != null) {
                    secretVolumes.put(v.getName(), v.getSecret().getSecretName());
                    secretsUsed.add(v.getSecret().getSecretName());
                }
                if (v.getProjected() != null) {
                    for (VolumeProjection p : nonNull(v.getProjected().getSources())) {
                        if (p.getSecret() != null) {
                            secretVolumes.put(v.getName(), p.getSecret().getName());
                            secretsUsed.add(p.getSecret().getName());
                        }
                    }
                }
            }
            List<Container> containers = new ArrayList<>(nonNull(t.getSpec().getContainers()));
            containers.addAll(nonNull(t.getSpec().getInitContainers()));
            for (Container c : containers) {
                mounts.addAll(nonNull(c.getVolumeMounts()));
                for (EnvVar e : nonNull(c.getEnv())) {
                    if (e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null) {
                        secretsUsed.add(e.getValueFrom().getSecretKeyRef().getName());
                    }
                }
                for (EnvFromSource e : nonNull(c.getEnvFrom())) {
                    if (e.getSecretRef() != null) {
                        secretsUsed.add(e.getSecretRef().getName());
                    }
                }
            }
        }
        for (String s : secretsUsed) {
            if (s == null || !readmeSecrets.contains(s)) {
                problems.add(
                        where
                                + ": Secret "
                                + s
                                + " is used but k8s/README.md has no `kubectl create secret"
                                + " generic "
                                + s
                                + "`");
            }
        }
        if (clientFile != null) {
            boolean onSecret = false;
            for (VolumeMount vm : mounts) {
                String dir =
                        vm.getMountPath().endsWith("/")
                                ? vm.getMountPath()
                                : vm.getMountPath() + "/";
                if (secretVolumes.containsKey(vm.getName()) && clientFile.startsWith(dir)) {
                    onSecret = true;
                }
            }
            if (!onSecret) {
                problems.add(
                        where
                                + ": "
                                + StreamingOptions.CLIENT_PROPERTIES_FILE.key()
                                + " "
                                + clientFile
                                + " is not on a mounted Secret");
            }
        }
    }

    private static <T> Collection<T> nonNull(Collection<T> c) {
        return c == null ? List.of() : c;
    }

    private void checkKafkaTopic(String where, JsonNode doc, List<String> problems) {
        KafkaTopic topic = typed(where, doc, KafkaTopic.class, problems);
        if (topic == null) {
            return;
        }
        String name = topic.getMetadata() == null ? null : topic.getMetadata().getName();
        if (name == null || name.isEmpty()) {
            problems.add(where + ": metadata.name is missing");
        }
        Map<String, String> labels =
                topic.getMetadata() == null ? null : topic.getMetadata().getLabels();
        if (labels == null || labels.getOrDefault("strimzi.io/cluster", "").isEmpty()) {
            problems.add(where + ": label strimzi.io/cluster (the Kafka cluster) is missing");
        }
        KafkaTopicSpec spec = topic.getSpec();
        if (spec == null) {
            problems.add(where + ": spec is missing");
            return;
        }
        if (spec.getPartitions() == null || spec.getPartitions() < 1) {
            problems.add(where + ": spec.partitions must be a positive integer");
        }
        if (spec.getReplicas() == null || spec.getReplicas() < 1) {
            problems.add(where + ": spec.replicas must be a positive integer");
        }
        topicsDeclared.add(spec.getTopicName() != null ? spec.getTopicName() : name);
        if (spec.getConfig() != null) {
            spec.getConfig()
                    .forEach(
                            (k, v) -> {
                                if (v instanceof Map || v instanceof Collection) {
                                    problems.add(where + ": spec.config." + k + " is not a scalar");
                                }
                            });
        }
    }

    /**
     * Reads {@code doc} into {@code type} through fabric8's serialization, then checks that nothing
     * was dropped (operator classes ignore unknown fields) or parked (fabric8 models keep unknown
     * fields in additionalProperties): both mean a misspelt or misplaced field.
     */
    private <T> T typed(String where, JsonNode doc, Class<T> type, List<String> problems) {
        T value;
        try {
            value = serialization.convertValue(doc, type);
        } catch (RuntimeException e) {
            problems.add(where + ": not a valid " + type.getSimpleName() + ": " + e.getMessage());
            return null;
        }
        int before = problems.size();
        parked(where, "", value, problems, new IdentityHashMap<>());
        if (problems.size() > before) {
            // fabric8 6.13 cannot write non-empty additionalProperties with this Jackson (2.23);
            // the unknown fields are already reported.
            return value;
        }
        JsonNode back;
        try {
            back = yaml.readTree(serialization.asJson(value));
        } catch (IOException | RuntimeException e) {
            problems.add(where + ": cannot write " + type.getSimpleName() + " back: " + e);
            return value;
        }
        missing(where, "", doc, back, problems);
        return value;
    }

    /** Fields of {@code in} that the typed round trip lost or changed. */
    private static void missing(
            String where, String path, JsonNode in, JsonNode out, List<String> problems) {
        if (in.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = in.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String p = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
                JsonNode o = out == null ? null : out.get(e.getKey());
                if (o == null || o.isNull() && !e.getValue().isNull()) {
                    problems.add(where + ": unknown field " + p);
                } else {
                    missing(where, p, e.getValue(), o, problems);
                }
            }
        } else if (in.isArray()) {
            for (int i = 0; i < in.size(); i++) {
                missing(
                        where,
                        path + "[" + i + "]",
                        in.get(i),
                        out == null ? null : out.get(i),
                        problems);
            }
        } else if (out != null && in.isNumber() && out.isNumber()) {
            if (in.decimalValue().compareTo(out.decimalValue()) != 0) {
                problems.add(where + ": " + path + " read as " + out + ", written " + in);
            }
        } else if (out != null && !in.asText().equals(out.asText())) {
            problems.add(where + ": " + path + " read as " + out + ", written " + in);
        }
    }

    /** Non-empty additionalProperties anywhere in a fabric8 or operator object graph. */
    private static void parked(
            String where,
            String path,
            Object o,
            List<String> problems,
            IdentityHashMap<Object, Boolean> seen) {
        if (o == null || seen.put(o, Boolean.TRUE) != null) {
            return;
        }
        if (o instanceof Map) {
            for (Map.Entry<?, ?> e : ((Map<?, ?>) o).entrySet()) {
                parked(where, path + "." + e.getKey(), e.getValue(), problems, seen);
            }
            return;
        }
        if (o instanceof Collection) {
            int i = 0;
            for (Object x : (Collection<?>) o) {
                parked(where, path + "[" + i++ + "]", x, problems, seen);
            }
            return;
        }
        String pkg = o.getClass().getName();
        if (!pkg.startsWith("io.fabric8.kubernetes.api.model")
                && !pkg.startsWith("io.strimzi.api")
                && !pkg.startsWith("org.apache.flink.kubernetes.operator.api")) {
            return;
        }
        for (Method m : o.getClass().getMethods()) {
            if (m.getParameterCount() != 0
                    || !m.getName().startsWith("get")
                    || m.getName().equals("getClass")
                    || Modifier.isStatic(m.getModifiers())) {
                continue;
            }
            Object v;
            try {
                v = m.invoke(o);
            } catch (ReflectiveOperationException | RuntimeException e) {
                continue;
            }
            if (m.getName().equals("getAdditionalProperties") && v instanceof Map) {
                if (!((Map<?, ?>) v).isEmpty()) {
                    problems.add(
                            where
                                    + ": unknown field(s) "
                                    + ((Map<?, ?>) v).keySet()
                                    + " under "
                                    + (path.isEmpty() ? "the document" : path.substring(1)));
                }
                continue;
            }
            String name = m.getName().substring(3);
            parked(
                    where,
                    path + "." + Character.toLowerCase(name.charAt(0)) + name.substring(1),
                    v,
                    problems,
                    seen);
        }
    }

    /** Inline credentials: secret-looking keys with values, or values that are credentials. */
    private static void checkNoInlineSecrets(
            String where, JsonNode node, String path, List<String> problems) {
        if (node.isObject()) {
            String envName =
                    node.has("name") && node.has("value") ? node.get("name").asText() : null;
            if (envName != null && SECRET_KEY.matcher(envName).matches()) {
                problems.add(
                        where
                                + ": "
                                + path
                                + " sets "
                                + envName
                                + " inline; use valueFrom.secretKeyRef");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String p = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
                JsonNode v = e.getValue();
                if ((v.isTextual() || v.isNumber())
                        && !v.asText().isEmpty()
                        && SECRET_KEY.matcher(e.getKey()).matches()) {
                    problems.add(where + ": " + p + " has an inline value; reference a Secret");
                }
                checkNoInlineSecrets(where, v, p, problems);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                JsonNode v = node.get(i);
                String p = path + "[" + i + "]";
                // args: --some.password value
                if (v.isTextual()
                        && v.asText().startsWith("--")
                        && SECRET_KEY.matcher(v.asText()).matches()) {
                    problems.add(where + ": " + p + " passes " + v.asText() + " inline");
                }
                checkNoInlineSecrets(where, v, p, problems);
            }
        } else if (node.isTextual() && SECRET_VALUE.matcher(node.asText()).matches()) {
            problems.add(where + ": " + path + " holds a credential inline");
        }
    }

    /** Loads from the job jar first, like Flink's child-first user-code class loader. */
    private static final class JarFirstClassLoader extends URLClassLoader {
        JarFirstClassLoader(URL jar) {
            super(new URL[] {jar}, K8sManifests.class.getClassLoader());
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            synchronized (getClassLoadingLock(name)) {
                Class<?> c = findLoadedClass(name);
                if (c == null) {
                    try {
                        c = findClass(name);
                    } catch (ClassNotFoundException e) {
                        c = super.loadClass(name, false);
                    }
                }
                if (resolve) {
                    resolveClass(c);
                }
                return c;
            }
        }
    }

    static Path k8sDir() {
        return Path.of("..", "k8s");
    }
}
