package dev.parity.jobs.kafka;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.config.ConfigResource;

/**
 * Asks the brokers for their cluster before a job starts, so that an unreachable address fails the
 * command in one line ("cannot reach ...") within {@link #TIMEOUT}, instead of a Flink job
 * restarting forever or a producer reporting "Topic not present in metadata" a minute later.
 */
public final class KafkaPreflight {
    /** How long the brokers get to answer. */
    public static final Duration TIMEOUT = Duration.ofSeconds(20);

    private KafkaPreflight() {}

    /**
     * Returns when a broker of {@code servers} answers within {@code timeout} and has the topics
     * named: each {@code topics} entry is {@code option=topic} ({@code --topic=flights.events}). A
     * topic to be written ({@code written}) may be missing when the brokers create topics on first
     * use.
     *
     * @param client further client properties (security settings), may be empty
     * @throws IllegalArgumentException {@code --bootstrap-servers <servers>: cannot reach ...}, or
     *     {@code --topic <topic>: no such topic on <servers> ...}
     */
    public static void check(
            String servers,
            Properties client,
            Duration timeout,
            boolean written,
            String... topics) {
        Properties props = new Properties();
        props.putAll(client);
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
        int ms = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, ms);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, ms);
        // fewer "could not be established" warnings while the address does not answer
        props.put(AdminClientConfig.RECONNECT_BACKOFF_MS_CONFIG, 1_000);
        props.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 5_000);
        String problem;
        try (Admin admin = Admin.create(props)) {
            Collection<Node> nodes =
                    admin.describeCluster(new DescribeClusterOptions().timeoutMs(ms))
                            .nodes()
                            .get(ms + 1_000L, TimeUnit.MILLISECONDS);
            if (topics.length > 0) {
                Set<String> existing =
                        admin.listTopics().names().get(ms + 1_000L, TimeUnit.MILLISECONDS);
                for (String t : topics) {
                    String option = t.substring(0, t.indexOf('='));
                    String topic = t.substring(t.indexOf('=') + 1);
                    if (!existing.contains(topic)
                            && !(written && createsTopics(admin, nodes, ms))) {
                        throw new IllegalArgumentException(
                                option
                                        + " "
                                        + topic
                                        + ": no such topic on "
                                        + servers
                                        + " (create it first, e.g. with kafka-topics.sh --create;"
                                        + " the README's \"Topics and schemas\" lists them)");
                    }
                }
            }
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            problem = "interrupted";
        } catch (ExecutionException e) {
            problem = reason(e.getCause());
        } catch (TimeoutException e) {
            problem = "no answer";
        } catch (org.apache.kafka.common.KafkaException e) {
            problem = reason(e); // a malformed address is refused when the client is made
        }
        throw new IllegalArgumentException(
                "--bootstrap-servers "
                        + servers
                        + ": cannot reach a Kafka broker within "
                        + timeout.toSeconds()
                        + " s ("
                        + problem
                        + ")");
    }

    /** Whether the brokers create a topic on first use; false when they do not say. */
    private static boolean createsTopics(Admin admin, Collection<Node> nodes, int ms) {
        if (nodes.isEmpty()) {
            return false;
        }
        ConfigResource broker =
                new ConfigResource(
                        ConfigResource.Type.BROKER, String.valueOf(nodes.iterator().next().id()));
        try {
            Config config =
                    admin.describeConfigs(List.of(broker))
                            .all()
                            .get(ms, TimeUnit.MILLISECONDS)
                            .get(broker);
            ConfigEntry auto = config == null ? null : config.get("auto.create.topics.enable");
            return auto != null && "true".equals(auto.value());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException | TimeoutException e) {
            return false; // not allowed to ask, say: the write will tell
        }
    }

    private static String reason(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? "" : ": " + root.getMessage();
        return (root.getClass().getSimpleName() + message).replace('\n', ' ');
    }
}
