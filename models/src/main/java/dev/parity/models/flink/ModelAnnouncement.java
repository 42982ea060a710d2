package dev.parity.models.flink;

/** A control-stream message: a new model version to serve, by its registry directory. */
public class ModelAnnouncement {
    /** {@code <registry>/<name>/<version>}. */
    public String modelDir;

    public ModelAnnouncement() {}

    public ModelAnnouncement(String modelDir) {
        this.modelDir = modelDir;
    }

    @Override
    public String toString() {
        return "ModelAnnouncement{" + modelDir + "}";
    }
}
