package dev.parity.models.flink;

import dev.parity.models.ModelContract;
import dev.parity.models.ModelGate;
import dev.parity.models.ModelRegistry;
import java.io.IOException;
import java.io.Serializable;
import java.util.Objects;

/**
 * A model a scoring operator serves or shadows: its registry directory ({@code
 * <registry>/<name>/<version>}, local or a Flink file system URI) and the gate it must pass. The
 * same value describes the serving model and the shadow candidate ({@link Scoring}).
 *
 * <pre>{@code
 * ServingModel.at("registry/flights-mlp/3").gatedBy(ModelGate.builder().maxBytes(64 << 20).build());
 * }</pre>
 */
public final class ServingModel implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String dir;
    private final ModelGate gate;

    private ServingModel(String dir, ModelGate gate) {
        if (dir == null || dir.isBlank()) {
            throw new IllegalArgumentException("a model directory is required");
        }
        this.dir = dir;
        this.gate = Objects.requireNonNull(gate, "gate");
    }

    /** The model in {@code dir}, behind the default gate. */
    public static ServingModel at(String dir) {
        return new ServingModel(dir, ModelGate.builder().build());
    }

    /** The same model behind {@code gate}. */
    public ServingModel gatedBy(ModelGate gate) {
        return new ServingModel(dir, gate);
    }

    public String dir() {
        return dir;
    }

    public ModelGate gate() {
        return gate;
    }

    /** Reads the model and checks it against the gate and {@code contract}. */
    public ModelRegistry.LoadedModel load(ModelContract contract) throws IOException {
        return ModelRegistry.load(dir, gate, contract);
    }

    @Override
    public String toString() {
        return dir;
    }
}
