package dev.parity.models.flink;

/** One scored flight: the prediction and the exact model that made it. A Flink POJO. */
public class Prediction {
    public long id;
    public long depTime;
    public String model;
    public String version;
    public float prediction;

    /** Set when a candidate model shadows the serving one: its name, version and prediction. */
    public String shadowModel;

    public String shadowVersion;
    public Float shadowPrediction;

    public Prediction() {}

    public Prediction(long id, long depTime, String model, String version, float prediction) {
        this.id = id;
        this.depTime = depTime;
        this.model = model;
        this.version = version;
        this.prediction = prediction;
    }

    /** {@code id,model,version,prediction} as in {@code predictions.csv}. */
    public String toCsv() {
        return id + "," + model + "," + version + "," + Float.toString(prediction);
    }

    /** The shadow model's prediction in the same CSV form, or null without a shadow. */
    public String shadowCsv() {
        return shadowModel == null
                ? null
                : id
                        + ","
                        + shadowModel
                        + ","
                        + shadowVersion
                        + ","
                        + Float.toString(shadowPrediction);
    }

    @Override
    public String toString() {
        return "Prediction{" + toCsv() + "}";
    }
}
