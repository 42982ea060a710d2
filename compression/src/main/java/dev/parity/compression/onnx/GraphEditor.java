package dev.parity.compression.onnx;

import ai.onnx.proto.OnnxMl;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A mutable view of a model's top-level graph for rewrites: initializers by name, nodes in order,
 * fresh names that clash with nothing. Subgraphs (If/Loop/Scan bodies) are carried over untouched.
 *
 * <pre>{@code
 * GraphEditor g = GraphEditor.of(model);
 * String q = g.addInitializer(Tensors.int8(g.fresh("W_q"), dims, values));
 * g.replaceNode(i, List.of(...));
 * byte[] out = g.build().toByteArray();
 * }</pre>
 */
public final class GraphEditor {
    private final OnnxMl.ModelProto original;
    private final Map<String, OnnxMl.TensorProto> initializers = new LinkedHashMap<>();
    private final List<List<OnnxMl.NodeProto>> nodes = new ArrayList<>();
    private final Set<String> names = new HashSet<>();
    private final Set<String> removedInitializers = new HashSet<>();
    private final List<OnnxMl.NodeProto> prologue = new ArrayList<>();

    private GraphEditor(OnnxMl.ModelProto model) {
        this.original = model;
        OnnxMl.GraphProto g = model.getGraph();
        for (OnnxMl.TensorProto t : g.getInitializerList()) {
            initializers.put(t.getName(), t);
            names.add(t.getName());
        }
        for (OnnxMl.NodeProto n : g.getNodeList()) {
            nodes.add(List.of(n));
            names.addAll(n.getInputList());
            names.addAll(n.getOutputList());
            names.add(n.getName());
        }
        for (OnnxMl.ValueInfoProto v : g.getInputList()) {
            names.add(v.getName());
        }
        for (OnnxMl.ValueInfoProto v : g.getOutputList()) {
            names.add(v.getName());
        }
    }

    public static GraphEditor of(OnnxMl.ModelProto model) {
        return new GraphEditor(model);
    }

    public OnnxMl.ModelProto original() {
        return original;
    }

    /** The original nodes, indexed as {@link #replaceNode} expects. */
    public List<OnnxMl.NodeProto> originalNodes() {
        return original.getGraph().getNodeList();
    }

    public OnnxMl.TensorProto initializer(String name) {
        return initializers.get(name);
    }

    public boolean isInitializer(String name) {
        return initializers.containsKey(name);
    }

    /** A name based on {@code base} that no tensor, node or initializer uses yet. */
    public String fresh(String base) {
        String candidate = base;
        for (int i = 1; names.contains(candidate); i++) {
            candidate = base + "_" + i;
        }
        names.add(candidate);
        return candidate;
    }

    /** Adds an initializer (its name must be fresh) and returns its name. */
    public String addInitializer(OnnxMl.TensorProto t) {
        names.add(t.getName());
        initializers.put(t.getName(), t);
        return t.getName();
    }

    /** Replaces an initializer's values under the same name. */
    public void setInitializer(OnnxMl.TensorProto t) {
        if (!initializers.containsKey(t.getName())) {
            throw new IllegalStateException("no initializer '" + t.getName() + "'");
        }
        initializers.put(t.getName(), t);
    }

    /** Drops an initializer (callers make sure nothing reads it any more). */
    public void removeInitializer(String name) {
        initializers.remove(name);
        removedInitializers.add(name);
    }

    /** Nodes that run before all original nodes (e.g. Casts of converted initializers). */
    public void addPrologue(OnnxMl.NodeProto node) {
        prologue.add(node);
    }

    /** Replaces original node {@code index} by {@code replacement} (in order). */
    public void replaceNode(int index, List<OnnxMl.NodeProto> replacement) {
        nodes.set(index, List.copyOf(replacement));
    }

    /** Counts how many node inputs (top-level graph) read each tensor name. */
    public Map<String, Integer> consumerCounts() {
        Map<String, Integer> counts = new HashMap<>();
        for (OnnxMl.NodeProto n : originalNodes()) {
            for (String in : n.getInputList()) {
                counts.merge(in, 1, Integer::sum);
            }
        }
        for (OnnxMl.ValueInfoProto v : original.getGraph().getOutputList()) {
            counts.merge(v.getName(), 1, Integer::sum);
        }
        return counts;
    }

    /** The edited model; initializers no node reads any more are dropped. */
    public OnnxMl.ModelProto build() {
        OnnxMl.GraphProto.Builder g = original.getGraph().toBuilder();
        g.clearNode();
        g.addAllNode(prologue);
        Set<String> read = new HashSet<>();
        for (OnnxMl.NodeProto n : prologue) {
            read.addAll(n.getInputList());
        }
        for (List<OnnxMl.NodeProto> list : nodes) {
            for (OnnxMl.NodeProto n : list) {
                g.addNode(n);
                read.addAll(n.getInputList());
                collectSubgraphReads(n, read);
            }
        }
        for (OnnxMl.ValueInfoProto v : original.getGraph().getOutputList()) {
            read.add(v.getName());
        }
        g.clearInitializer();
        Set<String> kept = new HashSet<>();
        for (OnnxMl.TensorProto t : initializers.values()) {
            if (read.contains(t.getName())) {
                g.addInitializer(t);
                kept.add(t.getName());
            }
        }
        // Old exporters list initializers as graph inputs too; drop those we removed.
        List<OnnxMl.ValueInfoProto> inputs = new ArrayList<>(g.getInputList());
        g.clearInput();
        for (OnnxMl.ValueInfoProto v : inputs) {
            boolean wasInitializer =
                    original.getGraph().getInitializerList().stream()
                            .anyMatch(t -> t.getName().equals(v.getName()));
            if (!wasInitializer || kept.contains(v.getName())) {
                g.addInput(v);
            }
        }
        // Shapes/types of rewritten intermediate tensors may change; let the runtime infer them.
        g.clearValueInfo();
        return original.toBuilder().setGraph(g).build();
    }

    private static void collectSubgraphReads(OnnxMl.NodeProto n, Set<String> read) {
        for (OnnxMl.AttributeProto a : n.getAttributeList()) {
            if (a.hasG()) {
                collectGraphReads(a.getG(), read);
            }
            for (OnnxMl.GraphProto sg : a.getGraphsList()) {
                collectGraphReads(sg, read);
            }
        }
    }

    private static void collectGraphReads(OnnxMl.GraphProto g, Set<String> read) {
        for (OnnxMl.NodeProto n : g.getNodeList()) {
            read.addAll(n.getInputList());
            collectSubgraphReads(n, read);
        }
        for (OnnxMl.ValueInfoProto v : g.getOutputList()) {
            read.add(v.getName()); // a subgraph may output an outer-scope tensor
        }
    }

    // ---- node helpers ----

    public static OnnxMl.NodeProto node(
            String op, String name, List<String> inputs, List<String> outputs) {
        return OnnxMl.NodeProto.newBuilder()
                .setOpType(op)
                .setName(name)
                .addAllInput(inputs)
                .addAllOutput(outputs)
                .build();
    }

    public static OnnxMl.AttributeProto intAttr(String name, long v) {
        return OnnxMl.AttributeProto.newBuilder()
                .setName(name)
                .setType(OnnxMl.AttributeProto.AttributeType.INT)
                .setI(v)
                .build();
    }

    public static OnnxMl.AttributeProto floatAttr(String name, float v) {
        return OnnxMl.AttributeProto.newBuilder()
                .setName(name)
                .setType(OnnxMl.AttributeProto.AttributeType.FLOAT)
                .setF(v)
                .build();
    }

    /** An attribute of {@code n} as an int, or {@code def} when absent. */
    public static long attrInt(OnnxMl.NodeProto n, String name, long def) {
        for (OnnxMl.AttributeProto a : n.getAttributeList()) {
            if (a.getName().equals(name)) {
                return a.getI();
            }
        }
        return def;
    }

    public static float attrFloat(OnnxMl.NodeProto n, String name, float def) {
        for (OnnxMl.AttributeProto a : n.getAttributeList()) {
            if (a.getName().equals(name)) {
                return a.getF();
            }
        }
        return def;
    }

    /** The default-domain opset the model imports (0 if none). */
    public static long opset(OnnxMl.ModelProto model) {
        for (OnnxMl.OperatorSetIdProto o : model.getOpsetImportList()) {
            if (o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx")) {
                return o.getVersion();
            }
        }
        return 0;
    }
}
