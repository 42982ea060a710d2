package dev.parity.models.flink;

/** An announced model that a subtask refused, and why; the current model keeps serving. */
public class ModelRejection {
    public String modelDir;
    public String reason;
    public String servingModel;

    public ModelRejection() {}

    public ModelRejection(String modelDir, String reason, String servingModel) {
        this.modelDir = modelDir;
        this.reason = reason;
        this.servingModel = servingModel;
    }

    @Override
    public String toString() {
        return "ModelRejection{" + modelDir + ": " + reason + "; serving " + servingModel + "}";
    }
}
