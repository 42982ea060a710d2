package dev.parity.features.spec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.TreeMap;

/**
 * The canonical form of a spec that its fingerprint hashes: compact JSON of the validated model.
 * Mappings of the spec (event kinds, fields, emitted values) are written sorted by key, because
 * their order means nothing; lists (context, features, keys, emits) keep their order, because it is
 * the output order. Expressions are re-printed from their syntax tree and windows written in
 * milliseconds or days, so formatting and units do not count. {@code format} versions this form:
 * changing what it contains changes every fingerprint, and must be deliberate.
 */
final class SpecCanonical {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int FORMAT = 1;

    private SpecCanonical() {}

    static String of(FeatureSpec spec) {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        root.put("name", spec.name());
        ObjectNode events = root.putObject("events");
        TreeMap<String, EventKind> kinds = new TreeMap<>();
        spec.events().forEach(k -> kinds.put(k.name(), k));
        kinds.forEach(
                (name, kind) -> {
                    ObjectNode k = events.putObject(name);
                    fields(k.putObject("fields"), kind.fields());
                    k.put("id", kind.idField().orElse(null));
                    k.put("time", kind.timeField());
                    rules(k, kind.rules());
                });
        spec.source()
                .ifPresentOrElse(
                        source -> {
                            ObjectNode s = root.putObject("source");
                            fields(s.putObject("fields"), source.fields());
                            ArrayNode emits = s.putArray("emit");
                            for (Source.Emit e : source.emits()) {
                                ObjectNode emit = emits.addObject();
                                emit.put("event", e.event());
                                ObjectNode values = emit.putObject("values");
                                new TreeMap<>(e.values())
                                        .forEach((f, x) -> values.put(f, x.canonical()));
                            }
                            rules(s, source.rules());
                        },
                        () -> root.putNull("source"));
        ObjectNode query = root.putObject("query");
        query.put("event", spec.query().event());
        ArrayNode context = query.putArray("context");
        for (ContextField c : spec.query().context()) {
            context.addObject()
                    .put("name", c.name())
                    .put("expr", c.expression().canonical())
                    .put("type", c.type().specName());
        }
        spec.query()
                .label()
                .ifPresentOrElse(
                        l ->
                                query.putObject("label")
                                        .put("event", l.event())
                                        .put("field", l.field()),
                        () -> query.putNull("label"));
        ArrayNode features = root.putArray("features");
        for (FeatureDef f : spec.features()) {
            ObjectNode n = features.addObject();
            n.put("name", f.name());
            n.put("event", f.event());
            ArrayNode key = n.putArray("key");
            f.key().forEach(key::add);
            n.put("value", f.value().orElse(null));
            n.put("window", f.window().canonical());
            n.put("aggregation", f.aggregation().specName());
        }
        try {
            return JSON.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always serializes", e);
        }
    }

    /**
     * Rules in declaration order (the first failing one is the reason a row gets); nothing at all
     * without rules, so specs that declare none keep their fingerprints ({@code max_length} only
     * when declared, so specs from before it existed keep theirs too).
     */
    private static void rules(ObjectNode node, RowRules rules) {
        if (rules.isEmpty()) {
            return;
        }
        ArrayNode required = node.putArray("required");
        rules.required().forEach(required::add);
        ArrayNode checks = node.putArray("checks");
        for (RowRules.Check c : rules.checks()) {
            checks.addObject().put("expr", c.expression().canonical()).put("reason", c.reason());
        }
        if (!rules.declaredMaxLengths().isEmpty()) {
            ObjectNode limits = node.putObject("max_length");
            new TreeMap<>(rules.declaredMaxLengths()).forEach(limits::put);
        }
    }

    private static void fields(ObjectNode node, Map<String, FieldType> fields) {
        new TreeMap<>(fields).forEach((name, type) -> node.put(name, type.specName()));
    }
}
