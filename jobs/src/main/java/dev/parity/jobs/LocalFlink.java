package dev.parity.jobs;

import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.state.rocksdb.RocksDBOptions;

/**
 * Flink settings for a job run by the launcher: the runtime mode and, for STREAMING, the RocksDB
 * state backend. When the same job class is submitted to a cluster ({@code flink run}), the
 * cluster's {@code config.yaml} supplies the memory settings and these are only defaults.
 */
public final class LocalFlink {
    private LocalFlink() {}

    /** Configuration for a job in {@code mode}; {@code local} adds in-process cluster sizing. */
    public static Configuration configuration(RuntimeExecutionMode mode, boolean local) {
        Configuration conf = new Configuration();
        conf.set(ExecutionOptions.RUNTIME_MODE, mode);
        // No operator keeps a reference to an input record after emitting or buffering its
        // values (the scoring operator copies features into its direct buffer on arrival), so
        // chained operators may pass objects without a defensive serializer copy.
        conf.set(PipelineOptions.OBJECT_REUSE, true);
        if (mode == RuntimeExecutionMode.STREAMING) {
            // BATCH ignores the state backend (it sorts by key and keeps one key in memory).
            conf.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
            // Upload only the changed SST files at each checkpoint.
            conf.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
            // Timers on the heap: the feature groups register several per event, and RocksDB
            // timers cost a JNI round trip each (measured in docs/BENCHMARKS.md).
            conf.set(
                    RocksDBOptions.TIMER_SERVICE_FACTORY,
                    EmbeddedRocksDBStateBackend.PriorityQueueStateType.HEAP);
        }
        if (local) {
            // Sorting in BATCH and RocksDB in STREAMING both draw on managed memory.
            conf.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.parse("768m"));
            conf.set(TaskManagerOptions.NETWORK_MEMORY_MIN, MemorySize.parse("128m"));
            conf.set(TaskManagerOptions.NETWORK_MEMORY_MAX, MemorySize.parse("128m"));
        }
        return conf;
    }

    /** The first free port from {@code first} on (of 20), for a local web UI. */
    public static int freePort(int first) {
        for (int port = first; port < first + 20; port++) {
            try (java.net.ServerSocket s = new java.net.ServerSocket(port)) {
                return port;
            } catch (java.io.IOException busy) {
                // next
            }
        }
        throw new IllegalStateException(
                "no free port for the web UI in " + first + "-" + (first + 19));
    }
}
