package dev.parity.compression.methods;

import ai.onnx.proto.OnnxMl;
import dev.parity.compression.eval.ModelInputs;
import dev.parity.compression.spi.MlpTrainer;
import dev.parity.models.FeatureTable;
import java.util.Optional;

/** What a method may use: the teacher, the training data and trainer when there are any. */
public final class MethodContext {
    private final byte[] teacherBytes;
    private final OnnxMl.ModelProto teacher;
    private final FeatureTable table;
    private final MlpTrainer trainer;
    private final ModelInputs calibrationInputs;

    public MethodContext(
            byte[] teacherBytes,
            OnnxMl.ModelProto teacher,
            FeatureTable table,
            MlpTrainer trainer,
            ModelInputs calibrationInputs) {
        this.teacherBytes = teacherBytes;
        this.teacher = teacher;
        this.table = table;
        this.trainer = trainer;
        this.calibrationInputs = calibrationInputs;
    }

    public byte[] teacherBytes() {
        return teacherBytes.clone();
    }

    public OnnxMl.ModelProto teacher() {
        return teacher;
    }

    /** The training file, when the job was given one. */
    public Optional<FeatureTable> table() {
        return Optional.ofNullable(table);
    }

    public Optional<MlpTrainer> trainer() {
        return Optional.ofNullable(trainer);
    }

    /**
     * Rows for calibration: TRAIN rows imputed with the manifest defaults, or generated inputs of
     * the declared shapes for a model without training data.
     */
    public ModelInputs calibrationInputs() {
        return calibrationInputs;
    }

    /** The trainer, or the skip of a method that needs one. */
    public MlpTrainer requireTrainer() throws MethodSkippedException {
        return trainer().orElseThrow(() -> new MethodSkippedException("no trainer"));
    }

    /** The training file, or the skip of a method that needs one. */
    public FeatureTable requireTable() throws MethodSkippedException {
        return table().orElseThrow(
                        () -> new MethodSkippedException("needs a training file (--features)"));
    }
}
