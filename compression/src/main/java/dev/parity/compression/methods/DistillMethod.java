package dev.parity.compression.methods;

import dev.parity.compression.spi.MlpTrainer;
import dev.parity.models.FeatureTable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Distillation: smaller students trained by the {@link MlpTrainer} on the teacher's outputs mixed
 * with the labels. Needs both a trainer and a training file; without either it is skipped (and the
 * report says so).
 */
public final class DistillMethod implements CompressionMethod {
    private final List<int[]> students;
    private final float alpha;

    public DistillMethod(List<int[]> students, float alpha) {
        if (students.isEmpty() || !(alpha >= 0 && alpha <= 1)) {
            throw new IllegalArgumentException("need students and alpha in [0, 1]");
        }
        this.students = new ArrayList<>();
        for (int[] s : students) {
            this.students.add(s.clone());
        }
        this.alpha = alpha;
    }

    public DistillMethod() {
        this(List.of(new int[] {32}, new int[] {16, 16}), 0.5f);
    }

    @Override
    public String name() {
        return "distill";
    }

    @Override
    public List<Variant> apply(MethodContext ctx) throws Exception {
        MlpTrainer trainer = ctx.requireTrainer();
        FeatureTable table = ctx.requireTable();
        List<Variant> out = new ArrayList<>();
        for (int[] hidden : students) {
            String shape =
                    Arrays.stream(hidden)
                            .mapToObj(Integer::toString)
                            .collect(Collectors.joining("x"));
            byte[] student = trainer.distill(ctx.teacherBytes(), table, hidden, alpha);
            Map<String, String> params = new LinkedHashMap<>();
            params.put("hidden", shape);
            params.put("alpha", Float.toString(alpha));
            out.add(new Variant("distill-h" + shape, name(), params, student, List.of()));
        }
        return out;
    }
}
