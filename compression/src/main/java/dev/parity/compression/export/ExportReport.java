package dev.parity.compression.export;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code export.json}: what was exported, from what, with which runtime, and the check. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class ExportReport {
    private static final ObjectMapper JSON =
            new ObjectMapper()
                    .enable(SerializationFeature.INDENT_OUTPUT)
                    .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);

    public String target;
    public String source;
    public String sourceSha256;

    /** {@code float32} or the int8 variant's name (e.g. {@code int8-static-minmax}). */
    public String variant;

    public List<String> int8Notes = new ArrayList<>();
    public Double maxAbsDiffVsFloat;
    public Double meanAbsDiffVsFloat;
    public Double meanAbsFloatOutput;

    /** ONNX Runtime (Java) that optimised and checked the model. */
    public String onnxRuntime;

    /** Web target: the onnxruntime-web version the page runs. */
    public String onnxRuntimeWeb;

    /** Edge target: the graph optimisation level baked into model.ort. */
    public String optimization;

    /** Edge target: operators of model.ort by domain. */
    public Map<String, List<String>> operators;

    public Map<String, FileInfo> files = new LinkedHashMap<>();
    public Check check = new Check();

    /** The exported model loaded back and compared. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static final class Check {
        public Integer rows;
        public String inputs;
        public String against;
        public Double maxAbsDiff;
        public Double meanAbsDiff;
    }

    public byte[] toJson() throws IOException {
        return JSON.writeValueAsBytes(this);
    }

    public static ExportReport fromJson(byte[] json) throws IOException {
        return JSON.readValue(json, ExportReport.class);
    }
}
