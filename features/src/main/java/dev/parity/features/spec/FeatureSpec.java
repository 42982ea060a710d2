package dev.parity.features.spec;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A feature spec: the event kinds of a dataset, optionally how a file row becomes events, which
 * events get a feature vector (the query) and the window features, as data. The engine, the readers
 * and writers, scoring, training and compression take their schema from it, so a new dataset needs
 * a spec and no code. {@code docs/SPEC.md} is the reference.
 *
 * <p>Every instance is valid: {@link Builder#build()} checks everything before a job can start, and
 * a problem is a {@link SpecException} naming the spec file, the entry and the field. YAML ({@link
 * #load}, {@link #parse}) is read into the same builder, so both forms give the same model and the
 * same errors.
 *
 * <pre>{@code
 * FeatureSpec spec = FeatureSpec.load(Path.of("examples/flights/flights.yaml"));
 *
 * FeatureSpec payments = FeatureSpec.builder()
 *         .name("payments_v1")
 *         .event("payment", e -> e.field("id", FieldType.LONG).field("ts", FieldType.TIMESTAMP)
 *                 .field("card", FieldType.STRING).id("id").time("ts"))
 *         .query(q -> q.event("payment"))
 *         .feature(f -> f.name("card_payments_1h").event("payment").key("card")
 *                 .window("1h").aggregation("count"))
 *         .build();
 * }</pre>
 *
 * <p>{@link #fingerprint()} identifies the spec's meaning: keyed state, operator uids and model
 * manifests carry it, so state or a model made with another spec is refused instead of misread.
 */
public final class FeatureSpec implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The name of the query event's id column, first in every output. */
    public static final String ID_COLUMN = "id";

    private final String origin;
    private final String name;
    private final List<EventKind> events;
    private final Source source;
    private final Query query;
    private final List<FeatureDef> features;
    private final JsonMembers json;
    private final List<String> outputHeader;
    private final String canonicalForm;
    private final String fingerprint;

    FeatureSpec(
            String origin,
            String name,
            List<EventKind> events,
            Source source,
            Query query,
            List<FeatureDef> features,
            JsonMembers json) {
        this.origin = origin;
        this.name = name;
        this.events = Collections.unmodifiableList(new ArrayList<>(events));
        this.source = source;
        this.query = query;
        this.features = Collections.unmodifiableList(new ArrayList<>(features));
        this.json = json;
        List<String> header = new ArrayList<>();
        header.add(ID_COLUMN);
        query.context().forEach(c -> header.add(c.name()));
        features.forEach(f -> header.add(f.name()));
        query.label().ifPresent(l -> header.add(l.name()));
        this.outputHeader = Collections.unmodifiableList(header);
        this.canonicalForm = SpecCanonical.of(this);
        this.fingerprint = sha256(canonicalForm);
    }

    /** A builder for a spec written in Java. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Reads and validates a YAML spec; messages start with {@code file} as given.
     *
     * @throws SpecException for an unreadable file, a YAML syntax error or an invalid spec
     */
    public static FeatureSpec load(Path file) {
        return SpecYaml.load(file);
    }

    /** Parses and validates YAML text; {@code origin} starts every message (a file name). */
    public static FeatureSpec parse(String yaml, String origin) {
        return SpecYaml.parse(yaml, origin);
    }

    /** Where the spec came from (file name), for messages; not part of the fingerprint. */
    public String origin() {
        return origin;
    }

    /** The feature-set name, e.g. {@code payments_v1}. */
    public String name() {
        return name;
    }

    /** The event kinds, in declaration order. */
    public List<EventKind> events() {
        return events;
    }

    /** The kind called {@code name}, if declared. */
    public Optional<EventKind> event(String name) {
        return events.stream().filter(k -> k.name().equals(name)).findFirst();
    }

    /** How a file row becomes events, if the spec says; else a file holds events of one kind. */
    public Optional<Source> source() {
        return Optional.ofNullable(source);
    }

    public Query query() {
        return query;
    }

    /** The window features, in output order. */
    public List<FeatureDef> features() {
        return features;
    }

    /** The member names of the spec's JSON on Kafka that are not field names. */
    public JsonMembers json() {
        return json;
    }

    /**
     * The columns of the feature output: {@value #ID_COLUMN} (the query event's id), the context
     * values, the features, then the label, each in spec order.
     */
    public List<String> outputHeader() {
        return outputHeader;
    }

    /**
     * The text {@link #fingerprint()} hashes: the spec's meaning, independent of YAML formatting,
     * comments, the order of mapping keys and the unit a window is written in; list order (context,
     * features, keys, emitted events) is meaning and is kept.
     */
    public String canonicalForm() {
        return canonicalForm;
    }

    /** Hex sha256 of {@link #canonicalForm()}. */
    public String fingerprint() {
        return fingerprint;
    }

    @Override
    public String toString() {
        return "FeatureSpec{"
                + name
                + " "
                + fingerprint.substring(0, 12)
                + ", "
                + outputHeader
                + "}";
    }

    private static String sha256(String text) {
        try {
            byte[] digest =
                    MessageDigest.getInstance("SHA-256")
                            .digest(text.getBytes(StandardCharsets.UTF_8));
            StringBuilder hex = new StringBuilder(64);
            for (byte b : digest) {
                hex.append(Character.forDigit((b >> 4) & 0xf, 16))
                        .append(Character.forDigit(b & 0xf, 16));
            }
            return hex.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java runtime", e);
        }
    }

    /**
     * Collects a spec; {@link #build()} validates all of it and throws a {@link SpecException}
     * naming the first bad entry and field. Values are taken as a spec writes them (type names,
     * window text, aggregation names), so Java and YAML specs fail with the same messages.
     */
    public static final class Builder {
        String origin = "<builder>";
        String name;
        final List<EventKind.Builder> events = new ArrayList<>();
        Source.Builder source;
        int sourceCount;
        Query.Builder query;
        int queryCount;
        final List<FeatureDef.Builder> features = new ArrayList<>();
        JsonMembers.Builder json;
        int jsonCount;

        private Builder() {}

        /** What messages call the spec (a file name); defaults to {@code <builder>}. */
        public Builder origin(String origin) {
            this.origin = origin;
            return this;
        }

        /** The feature-set name. */
        public Builder name(String name) {
            this.name = name;
            return this;
        }

        /** Declares the event kind {@code kind}. */
        public Builder event(String kind, Consumer<EventKind.Builder> declaration) {
            EventKind.Builder b = new EventKind.Builder(kind);
            declaration.accept(b);
            events.add(b);
            return this;
        }

        /** How a file row becomes events (optional). */
        public Builder source(Consumer<Source.Builder> declaration) {
            Source.Builder b = new Source.Builder();
            declaration.accept(b);
            source = b;
            sourceCount++;
            return this;
        }

        /** The query: required, once. */
        public Builder query(Consumer<Query.Builder> declaration) {
            Query.Builder b = new Query.Builder();
            declaration.accept(b);
            query = b;
            queryCount++;
            return this;
        }

        /** Adds a window feature; the order of calls is the output order. */
        public Builder feature(Consumer<FeatureDef.Builder> declaration) {
            FeatureDef.Builder b = new FeatureDef.Builder();
            declaration.accept(b);
            features.add(b);
            return this;
        }

        /** The JSON member names that are not field names (optional; see {@link JsonMembers}). */
        public Builder json(Consumer<JsonMembers.Builder> declaration) {
            JsonMembers.Builder b = new JsonMembers.Builder();
            declaration.accept(b);
            json = b;
            jsonCount++;
            return this;
        }

        /**
         * Validates and builds.
         *
         * @throws SpecException naming the spec, the first bad entry and its field
         */
        public FeatureSpec build() {
            return new SpecValidator(this).validate();
        }
    }
}
