package dev.parity.compression;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code report.json} holds: the teacher and every variant with size, parameters, latency,
 * throughput, held-out error and agreement, the status of every method (ran, skipped and why,
 * failed and why), the constructs left unchanged, and the selection with its reason. Plain data.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class CompressionReport {
    private static final ObjectMapper JSON =
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public String createdAt;
    public String teacherLocation;
    public String modelName;
    public String teacherVersion;
    public String teacherSha256;

    /** Where quality was measured: "june rows of <file>" or "generated inputs". */
    public String evaluatedOn;

    public int evaluatedRows;

    /** "june_mae" with labels, else "mean_abs_diff" (agreement with the teacher). */
    public String qualityMetric;

    public double budget;
    public String select;
    public Map<String, Object> benchmark = new LinkedHashMap<>();
    public String machine;

    /** The teacher first, then every variant that was written. */
    public List<Entry> models = new ArrayList<>();

    public List<MethodStatus> methods = new ArrayList<>();
    public List<String> unhandledConstructs = new ArrayList<>();
    public String selected;
    public String selectionReason;

    public byte[] toJson() throws IOException {
        return JSON.writeValueAsBytes(this);
    }

    public static CompressionReport fromJson(byte[] json) throws IOException {
        return JSON.readValue(json, CompressionReport.class);
    }

    /** One model of the comparison. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static final class Entry {
        /** Registry version directory, e.g. {@code 1-int8-dynamic} ({@code 1} for the teacher). */
        public String version;

        public String method;
        public Map<String, String> parameters = new LinkedHashMap<>();
        public String directory;
        public String sha256;
        public long sizeBytes;
        public long gzipBytes;
        public long parameterCount;
        public long nonZeroParameters;
        public double sizeRatio;
        public Double latencyP50Micros;
        public Double latencyP99Micros;
        public Double batchP50Micros;
        public Double batchRowsPerSecond;
        public Integer batchRows;
        public Double speedup;
        public Double mae;
        public Double rmse;
        public Double maxAbsDiff;
        public Double meanAbsDiff;
        public Boolean withinBudget;
        public boolean paretoSize;
        public boolean paretoLatency;
        public boolean paretoThroughput;
        public boolean selected;
        public List<String> notes = new ArrayList<>();

        /** The quality number selection uses: MAE with labels, else mean |diff| to the teacher. */
        public Double quality() {
            return mae != null ? mae : meanAbsDiff;
        }
    }

    /** Whether a method ran, and what it produced or why not. */
    public static final class MethodStatus {
        public String method;

        /** "ok", "skipped" or "failed". */
        public String status;

        public String reason;
        public List<String> variants = new ArrayList<>();

        public MethodStatus() {}

        public MethodStatus(String method, String status, String reason) {
            this.method = method;
            this.status = status;
            this.reason = reason;
        }
    }
}
