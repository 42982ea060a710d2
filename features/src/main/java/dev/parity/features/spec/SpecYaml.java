package dev.parity.features.spec;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Reads a YAML spec into a {@link FeatureSpec.Builder}: the YAML form is the builder's model
 * written down, so {@link SpecValidator} checks both alike. This class checks only what is YAML's
 * own: syntax (with line and column), duplicate keys, unknown keys (a typo must not be silently
 * ignored, so each names the valid keys and the likely one) and the shape of each node.
 */
final class SpecYaml {
    private static final List<String> TOP =
            List.of("name", "events", "source", "query", "features", "json");
    private static final List<String> KIND =
            List.of("fields", "id", "time", "required", "checks", "max_length");
    private static final List<String> SOURCE =
            List.of("fields", "emit", "required", "checks", "max_length");
    private static final List<String> EMIT = List.of("event", "values");
    private static final List<String> QUERY = List.of("event", "context", "label");
    private static final List<String> CONTEXT = List.of("name", "expr", "type");
    private static final List<String> LABEL = List.of("event", "field");
    private static final List<String> FEATURE =
            List.of("name", "event", "key", "value", "window", "aggregation");
    private static final List<String> DAILY = List.of("days", "daily");
    private static final List<String> JSON = List.of("kind", "prediction_time");

    // Duplicate keys are an error: YAML would otherwise keep the last one silently.
    private static final YAMLMapper YAML =
            YAMLMapper.builder().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).build();

    private SpecYaml() {}

    static FeatureSpec load(Path file) {
        String origin = file.toString();
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new SpecException(origin, null, null, "no such file", e);
        } catch (MalformedInputException e) {
            throw new SpecException(origin, null, null, "not UTF-8 text", e);
        } catch (IOException e) {
            throw new SpecException(origin, null, null, "cannot read: " + e, e);
        }
        return parse(text, origin);
    }

    static FeatureSpec parse(String yaml, String origin) {
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (JsonProcessingException e) {
            throw syntaxError(origin, e);
        }
        return new Reader(origin).read(root).build();
    }

    private static SpecException syntaxError(String origin, JsonProcessingException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof MarkedYAMLException) {
                MarkedYAMLException y = (MarkedYAMLException) t;
                Mark mark = y.getProblemMark();
                String where =
                        mark == null
                                ? null
                                : "line "
                                        + (mark.getLine() + 1)
                                        + ", column "
                                        + (mark.getColumn() + 1);
                return new SpecException(
                        origin, where, null, "YAML syntax error: " + firstLine(y.getProblem()), e);
            }
        }
        JsonLocation at = e.getLocation();
        String where =
                at == null || at.getLineNr() < 1
                        ? null
                        : "line " + at.getLineNr() + ", column " + at.getColumnNr();
        String message = firstLine(e.getOriginalMessage());
        return new SpecException(
                origin,
                where,
                null,
                message.startsWith("Duplicate")
                        ? "duplicate key: " + message
                        : "YAML syntax error: " + message,
                e);
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        String t = s.strip();
        int nl = t.indexOf('\n');
        return nl < 0 ? t : t.substring(0, nl);
    }

    /** One read of one document; {@link #origin} starts every message. */
    private static final class Reader {
        private final String origin;

        Reader(String origin) {
            this.origin = origin;
        }

        private SpecException fail(String entry, String field, String problem) {
            return new SpecException(origin, entry, field, problem);
        }

        FeatureSpec.Builder read(JsonNode root) {
            if (root == null || root.isMissingNode() || root.isNull()) {
                throw fail(null, null, "the spec is empty");
            }
            if (!root.isObject()) {
                throw fail(
                        null,
                        null,
                        "a spec is a mapping with the keys "
                                + String.join(", ", TOP)
                                + "; got "
                                + kind(root));
            }
            for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
                String key = it.next();
                if (!TOP.contains(key)) {
                    throw fail(key, null, unknownKey(key, TOP, "top-level key"));
                }
            }
            FeatureSpec.Builder b = FeatureSpec.builder().origin(origin);
            b.name(scalar(root.get("name"), "name", null));
            readEvents(b, root.get("events"));
            JsonNode source = root.get("source");
            if (present(source)) {
                readSource(b, source);
            }
            JsonNode query = root.get("query");
            if (present(query)) {
                readQuery(b, query);
            }
            readFeatures(b, root.get("features"));
            JsonNode json = root.get("json");
            if (present(json)) {
                requireMapping(json, "json", null, "kind and prediction_time");
                checkKeys(json, "json", JSON);
                b.json(
                        j -> {
                            if (present(json.get("kind"))) {
                                j.kind(scalar(json.get("kind"), "json", "kind"));
                            }
                            if (present(json.get("prediction_time"))) {
                                j.predictionTime(
                                        scalar(
                                                json.get("prediction_time"),
                                                "json",
                                                "prediction_time"));
                            }
                        });
            }
            return b;
        }

        private void readEvents(FeatureSpec.Builder b, JsonNode events) {
            if (!present(events)) {
                return; // the validator says it is required
            }
            requireMapping(
                    events, "events", null, "event kinds (like payment: {fields: ..., time: ts})");
            for (Map.Entry<String, JsonNode> e : entries(events)) {
                String entry = "events." + e.getKey();
                JsonNode kind = e.getValue();
                requireMapping(kind, entry, null, "fields, id and time");
                checkKeys(kind, entry, KIND);
                b.event(
                        e.getKey(),
                        k -> {
                            readFields(kind.get("fields"), entry, k::field);
                            k.id(scalar(kind.get("id"), entry, "id"));
                            k.time(scalar(kind.get("time"), entry, "time"));
                            readRules(kind, entry, k::require, k::check, k::maxLength);
                        });
            }
        }

        private void readFields(JsonNode fields, String entry, FieldSink sink) {
            if (!present(fields)) {
                return;
            }
            requireMapping(
                    fields,
                    entry,
                    "fields",
                    "field names to types (like {id: long, ts: timestamp})");
            for (Map.Entry<String, JsonNode> f : entries(fields)) {
                sink.field(f.getKey(), scalar(f.getValue(), entry, "fields." + f.getKey()));
            }
        }

        /**
         * {@code required: [fields]}, {@code checks: ["expr" or {expr, reason}]} and {@code
         * max_length: {field: characters}}.
         */
        private void readRules(
                JsonNode node,
                String entry,
                java.util.function.Consumer<String> require,
                java.util.function.BiConsumer<String, String> check,
                java.util.function.ObjLongConsumer<String> maxLength) {
            JsonNode limits = node.get("max_length");
            if (present(limits)) {
                requireMapping(
                        limits,
                        entry,
                        "max_length",
                        "string field names to a length in characters (like {note: 4096})");
                for (Map.Entry<String, JsonNode> f : entries(limits)) {
                    JsonNode n = f.getValue();
                    if (!n.isIntegralNumber() || !n.canConvertToLong()) {
                        throw fail(
                                entry,
                                "max_length." + f.getKey(),
                                "expected a whole number of characters, got " + kind(n));
                    }
                    maxLength.accept(f.getKey(), n.longValue());
                }
            }
            JsonNode required = node.get("required");
            if (present(required)) {
                if (!required.isArray()) {
                    throw fail(
                            entry,
                            "required",
                            "expected a list of field names (like [id, ts]), got "
                                    + kind(required));
                }
                for (int i = 0; i < required.size(); i++) {
                    require.accept(scalar(required.get(i), entry, "required[" + i + "]"));
                }
            }
            JsonNode checks = node.get("checks");
            if (!present(checks)) {
                return;
            }
            if (!checks.isArray()) {
                throw fail(
                        entry,
                        "checks",
                        "expected a list of CEL conditions (like - \"amount >= 0.0\" or -"
                                + " {expr: ..., reason: ...}), got "
                                + kind(checks));
            }
            for (int i = 0; i < checks.size(); i++) {
                JsonNode c = checks.get(i);
                String where = "checks[" + i + "]";
                if (c.isObject()) {
                    checkKeys(c, entry + "." + where, List.of("expr", "reason"));
                    check.accept(
                            scalar(c.get("expr"), entry, where + ".expr"),
                            scalar(c.get("reason"), entry, where + ".reason"));
                } else {
                    check.accept(scalar(c, entry, where), null);
                }
            }
        }

        private void readSource(FeatureSpec.Builder b, JsonNode source) {
            requireMapping(source, "source", null, "fields and emit");
            checkKeys(source, "source", SOURCE);
            JsonNode emit = source.get("emit");
            if (present(emit) && !emit.isArray()) {
                throw fail(
                        "source",
                        "emit",
                        "expected a list of events (- {event: ..., values: {...}}), got "
                                + kind(emit));
            }
            b.source(
                    s -> {
                        readFields(source.get("fields"), "source", s::field);
                        readRules(source, "source", s::require, s::check, s::maxLength);
                        if (!present(emit)) {
                            return;
                        }
                        for (int i = 0; i < emit.size(); i++) {
                            JsonNode e = emit.get(i);
                            String entry = "source.emit[" + i + "]";
                            requireMapping(e, entry, null, "event and values");
                            String event = scalar(e.get("event"), entry, "event");
                            String named = entry + (event == null ? "" : " (" + event + ")");
                            checkKeys(e, named, EMIT);
                            JsonNode values = e.get("values");
                            s.emit(
                                    event,
                                    v -> {
                                        if (!present(values)) {
                                            return;
                                        }
                                        requireMapping(
                                                values,
                                                named,
                                                "values",
                                                "event fields to row fields or expressions");
                                        for (Map.Entry<String, JsonNode> x : entries(values)) {
                                            v.value(
                                                    x.getKey(),
                                                    scalar(
                                                            x.getValue(),
                                                            named,
                                                            "values." + x.getKey()));
                                        }
                                    });
                        }
                    });
        }

        private void readQuery(FeatureSpec.Builder b, JsonNode query) {
            requireMapping(query, "query", null, "event, context and label");
            checkKeys(query, "query", QUERY);
            JsonNode context = query.get("context");
            if (present(context) && !context.isArray()) {
                throw fail(
                        "query",
                        "context",
                        "expected a list of fields and {name, expr} entries, got " + kind(context));
            }
            b.query(
                    q -> {
                        q.event(scalar(query.get("event"), "query", "event"));
                        if (present(context)) {
                            for (int i = 0; i < context.size(); i++) {
                                readContext(q, context.get(i), "query.context[" + i + "]");
                            }
                        }
                        JsonNode label = query.get("label");
                        if (!present(label)) {
                            return;
                        }
                        if (label.isObject()) {
                            checkKeys(label, "query", LABEL, "label.");
                            q.label(
                                    scalar(label.get("event"), "query", "label.event"),
                                    scalar(label.get("field"), "query", "label.field"));
                        } else {
                            q.label(scalar(label, "query", "label"));
                        }
                    });
        }

        private void readContext(Query.Builder q, JsonNode c, String entry) {
            if (!c.isObject()) {
                q.context(scalar(c, entry, null));
                return;
            }
            String name = scalar(c.get("name"), entry, "name");
            String named = entry + (name == null ? "" : " (" + name + ")");
            checkKeys(c, named, CONTEXT);
            String expr = scalar(c.get("expr"), named, "expr");
            if (expr == null) {
                throw fail(
                        named,
                        "expr",
                        "required: a CEL expression over the query event's fields (a plain field"
                                + " is written as its name)");
            }
            q.contextExpr(name, expr, scalar(c.get("type"), named, "type"));
        }

        private void readFeatures(FeatureSpec.Builder b, JsonNode features) {
            if (!present(features)) {
                return;
            }
            if (!features.isArray()) {
                throw fail(
                        "features",
                        null,
                        "expected a list of features (- {name: ..., event: ..., ...}), got "
                                + kind(features));
            }
            for (int i = 0; i < features.size(); i++) {
                JsonNode f = features.get(i);
                String entry = "features[" + i + "]";
                requireMapping(f, entry, null, String.join(", ", FEATURE));
                String name = scalar(f.get("name"), entry, "name");
                String named = entry + (name == null ? "" : " (" + name + ")");
                checkKeys(f, named, FEATURE);
                b.feature(
                        d -> {
                            d.name(name);
                            d.event(scalar(f.get("event"), named, "event"));
                            d.key(key(f.get("key"), named));
                            d.value(scalar(f.get("value"), named, "value"));
                            readWindow(d, f.get("window"), named);
                            d.aggregation(scalar(f.get("aggregation"), named, "aggregation"));
                        });
            }
        }

        private List<String> key(JsonNode key, String entry) {
            if (!present(key)) {
                return null;
            }
            List<String> fields = new ArrayList<>();
            if (key.isArray()) {
                for (int i = 0; i < key.size(); i++) {
                    fields.add(scalar(key.get(i), entry, "key[" + i + "]"));
                }
            } else {
                fields.add(scalar(key, entry, "key")); // `key: card` is `key: [card]`
            }
            return fields;
        }

        private void readWindow(FeatureDef.Builder d, JsonNode window, String entry) {
            if (!present(window)) {
                return;
            }
            if (!window.isObject()) {
                d.window(scalar(window, entry, "window"));
                return;
            }
            checkKeys(window, entry, DAILY, "window.");
            JsonNode days = window.get("days");
            JsonNode daily = window.get("daily");
            if (daily == null || !daily.isBoolean() || !daily.booleanValue()) {
                throw fail(
                        entry,
                        "window",
                        "a window written as a mapping is daily and needs daily: true, like {days:"
                                + " 30, daily: true}; a sliding window is written as a duration,"
                                + " like 30d");
            }
            if (days == null
                    || !days.canConvertToInt()
                    || !days.isIntegralNumber()
                    || days.intValue() <= 0) {
                throw fail(
                        entry,
                        "window",
                        "days must be a positive whole number of days, got "
                                + (days == null ? "none" : days.toString()));
            }
            d.window(Window.daily(days.intValue()));
        }

        // ---- node helpers

        private static boolean present(JsonNode n) {
            return n != null && !n.isNull() && !n.isMissingNode();
        }

        /** A scalar's text (a number or boolean as written), or null when absent. */
        private String scalar(JsonNode n, String entry, String field) {
            if (!present(n)) {
                return null;
            }
            if (!n.isValueNode()) {
                throw fail(entry, field, "expected a single value, got " + kind(n));
            }
            return n.asText();
        }

        private void requireMapping(JsonNode n, String entry, String field, String of) {
            if (n == null || !n.isObject()) {
                throw fail(entry, field, "expected a mapping of " + of + ", got " + kind(n));
            }
        }

        private void checkKeys(JsonNode n, String entry, List<String> allowed) {
            checkKeys(n, entry, allowed, "");
        }

        private void checkKeys(JsonNode n, String entry, List<String> allowed, String prefix) {
            for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
                String key = it.next();
                if (!allowed.contains(key)) {
                    throw fail(entry, prefix + key, unknownKey(key, allowed, "key"));
                }
            }
        }

        private static List<Map.Entry<String, JsonNode>> entries(JsonNode n) {
            List<Map.Entry<String, JsonNode>> list = new ArrayList<>();
            n.fields().forEachRemaining(list::add);
            return list;
        }

        private static String kind(JsonNode n) {
            if (n == null || n.isNull() || n.isMissingNode()) {
                return "nothing";
            }
            if (n.isObject()) {
                return "a mapping";
            }
            if (n.isArray()) {
                return "a list";
            }
            return "'" + n.asText() + "'";
        }
    }

    /** The message for a key that is not in {@code allowed}, with the closest as a suggestion. */
    static String unknownKey(String key, List<String> allowed, String what) {
        String best = null;
        // suggest only near misses: two edits, three in a longer key (queries -> query)
        int bestDistance = key.length() >= 6 ? 4 : 3;
        for (String a : allowed) {
            int d = distance(key, a);
            if (d < bestDistance) {
                best = a;
                bestDistance = d;
            }
        }
        return "unknown "
                + what
                + (best == null ? "" : " (did you mean '" + best + "'?)")
                + "; expected one of "
                + String.join(", ", allowed);
    }

    /** Levenshtein distance; keys are short. */
    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    /** Where {@link #readFields} puts each declared field. */
    @FunctionalInterface
    private interface FieldSink {
        Object field(String name, String type);
    }
}
