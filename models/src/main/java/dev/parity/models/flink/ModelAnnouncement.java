package dev.parity.models.flink;

/** A control-stream message: a new model version to serve, by its registry directory. */
public class ModelAnnouncement {
    /** {@code <registry>/<name>/<version>}. */
    public String modelDir;

    /** True to shadow the serving model with this one instead of replacing it. */
    public boolean shadow;

    public ModelAnnouncement() {}

    public ModelAnnouncement(String modelDir) {
        this.modelDir = modelDir;
    }

    public static ModelAnnouncement shadow(String modelDir) {
        ModelAnnouncement a = new ModelAnnouncement(modelDir);
        a.shadow = true;
        return a;
    }

    @Override
    public String toString() {
        return "ModelAnnouncement{" + (shadow ? "shadow " : "") + modelDir + "}";
    }
}
