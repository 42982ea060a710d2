package dev.parity.features.spec;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelIssue;
import dev.cel.common.CelOptions;
import dev.cel.common.CelValidationException;
import dev.cel.common.CelValidationResult;
import dev.cel.common.ast.CelConstant;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.ast.CelReference;
import dev.cel.common.navigation.CelNavigableAst;
import dev.cel.common.navigation.CelNavigableExpr;
import dev.cel.common.types.CelKind;
import dev.cel.common.types.CelType;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerBuilder;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.parser.CelUnparserFactory;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The one place Parity touches CEL (<a href="https://cel.dev">Common Expression Language</a>,
 * CEL-Java): spec expressions are compiled and type-checked here when a spec is validated, and
 * evaluated here by the engine. Nothing else in Parity imports {@code dev.cel}, so the expression
 * library could be swapped without touching the model, the validator or the engine.
 *
 * <p>Why CEL: it is typed (a wrong type is a validation error, not a wrong value on row 2,000,000),
 * sandboxed (no I/O, no Java calls, no clock) and deterministic, and it is a maintained library
 * rather than a hand-written parser. The environment is CEL's standard library with no macros and
 * no extensions: operators, conversions ({@code int()}, {@code double()}, {@code string()}, {@code
 * timestamp()}, {@code duration()}), string functions ({@code size}, {@code contains}, {@code
 * startsWith}, {@code endsWith}, {@code matches} on RE2), and timestamp accessors such as {@code
 * ts.getHours('UTC')} and {@code ts.getDayOfWeek('UTC')} (0 = Sunday). Without macros there are no
 * loops, so every evaluation is bounded by the expression's size.
 *
 * <p>Values cross the boundary in the engine's form: {@link String}, {@link Long}, {@link Double},
 * {@link Boolean}, and a timestamp as epoch milliseconds ({@link Long}; inside CEL an {@link
 * Instant}, and a result with sub-millisecond precision is floored to the millisecond). An
 * expression one of whose input fields is null evaluates to null without running: nulls propagate
 * as in SQL, so no expression needs to guard against them.
 *
 * <pre>{@code
 * SpecExpressions env = SpecExpressions.over(Map.of("time", FieldType.TIMESTAMP));
 * SpecExpressions.Compiled hour = env.compile("time.getHours('UTC')");   // type LONG
 * Object h = hour.evaluate(Map.of("time", 978307260000L));              // 0L
 * }</pre>
 */
public final class SpecExpressions {
    /** CEL's reserved words: a field with such a name could not be named in an expression. */
    static final Set<String> RESERVED =
            Set.of(
                    "true",
                    "false",
                    "null",
                    "in",
                    "as",
                    "break",
                    "const",
                    "continue",
                    "else",
                    "for",
                    "function",
                    "if",
                    "import",
                    "let",
                    "loop",
                    "package",
                    "namespace",
                    "return",
                    "var",
                    "void",
                    "while");

    // The timestamp accessors whose optional argument is a time zone name.
    private static final Set<String> ZONED_ACCESSORS =
            Set.of(
                    "getFullYear",
                    "getMonth",
                    "getDayOfYear",
                    "getDayOfMonth",
                    "getDate",
                    "getDayOfWeek",
                    "getHours",
                    "getMinutes",
                    "getSeconds",
                    "getMilliseconds");

    private static final CelOptions OPTIONS =
            CelOptions.current().maxExpressionCodePointSize(10_000).build();

    // Immutable and thread-safe: one per JVM.
    private static final CelRuntime RUNTIME =
            CelRuntimeFactory.standardCelRuntimeBuilder().setOptions(OPTIONS).build();

    private final Map<String, FieldType> variables;
    private final CelCompiler compiler;

    private SpecExpressions(Map<String, FieldType> variables) {
        this.variables = Collections.unmodifiableMap(new LinkedHashMap<>(variables));
        CelCompilerBuilder b = CelCompilerFactory.standardCelCompilerBuilder().setOptions(OPTIONS);
        variables.forEach((name, type) -> b.addVar(name, celType(type)));
        this.compiler = b.build();
    }

    /** An environment in which {@code variables} (field name to type) are the only names. */
    public static SpecExpressions over(Map<String, FieldType> variables) {
        return new SpecExpressions(variables);
    }

    /** The names an expression of this environment may use, with their types. */
    public Map<String, FieldType> variables() {
        return variables;
    }

    /**
     * Parses and type-checks {@code text}.
     *
     * @throws IllegalArgumentException with a one-line problem that quotes CEL's message and column
     *     (the caller adds where in the spec the expression is)
     */
    public Compiled compile(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("the expression is empty");
        }
        CelValidationResult result = compiler.compile(text);
        if (result.hasError()) {
            CelIssue first = result.getErrors().get(0);
            int column = first.getSourceLocation().getColumn() + 1;
            throw new IllegalArgumentException(
                    "does not compile: "
                            + oneLine(first.getMessage())
                            + (column > 0 ? " (column " + column + " of \"" + text + "\")" : ""));
        }
        CelAbstractSyntaxTree ast;
        try {
            ast = result.getAst();
        } catch (CelValidationException e) {
            throw new IllegalArgumentException("does not compile: " + oneLine(e.getMessage()), e);
        }
        FieldType type =
                fieldType(ast.getResultType())
                        .orElseThrow(
                                () ->
                                        new IllegalArgumentException(
                                                "\""
                                                        + text
                                                        + "\" has CEL type "
                                                        + ast.getResultType().name()
                                                        + ", which is not a field type ("
                                                        + FieldType.specNames()
                                                        + ")"));
        checkTimeZones(ast, text);
        List<String> inputs = inputsOf(ast);
        CelExpr root = ast.getExpr();
        String reference =
                root.getKind() == CelExpr.ExprKind.Kind.IDENT ? root.ident().name() : null;
        try {
            return new Compiled(
                    text,
                    CelUnparserFactory.newUnparser().unparse(ast),
                    type,
                    inputs,
                    inputs.stream().map(variables::get).toArray(FieldType[]::new),
                    reference,
                    RUNTIME.createProgram(ast));
        } catch (CelEvaluationException e) {
            throw new IllegalArgumentException(
                    "\"" + text + "\" cannot be planned: " + oneLine(e.getMessage()), e);
        }
    }

    private List<String> inputsOf(CelAbstractSyntaxTree ast) {
        Set<String> used = new HashSet<>();
        for (CelReference r : ast.getReferenceMap().values()) {
            if (r.overloadIds().isEmpty() && r.value().isEmpty()) {
                used.add(r.name());
            }
        }
        List<String> inputs = new ArrayList<>();
        for (String name : variables.keySet()) {
            if (used.contains(name)) {
                inputs.add(name);
            }
        }
        return inputs;
    }

    /** A constant time zone name that the JVM does not know is an error now, not on every row. */
    private static void checkTimeZones(CelAbstractSyntaxTree ast, String text) {
        CelNavigableAst.fromAst(ast)
                .getRoot()
                .allNodes()
                .map(CelNavigableExpr::expr)
                .filter(e -> e.getKind() == CelExpr.ExprKind.Kind.CALL)
                .map(CelExpr::call)
                .filter(c -> ZONED_ACCESSORS.contains(c.function()) && c.args().size() == 1)
                .map(c -> c.args().get(0))
                .filter(
                        a ->
                                a.getKind() == CelExpr.ExprKind.Kind.CONSTANT
                                        && a.constant().getKind() == CelConstant.Kind.STRING_VALUE)
                .map(a -> a.constant().stringValue())
                .forEach(
                        zone -> {
                            if (zone.isEmpty() || isOffset(zone)) {
                                return; // CEL parses fixed offsets itself
                            }
                            try {
                                ZoneId.of(zone);
                            } catch (DateTimeException e) {
                                throw new IllegalArgumentException(
                                        "unknown time zone '"
                                                + zone
                                                + "' in \""
                                                + text
                                                + "\"; use 'UTC' or an IANA name such as"
                                                + " 'Europe/Berlin'");
                            }
                        });
    }

    private static boolean isOffset(String zone) {
        char c = zone.charAt(0);
        return c == '+' || c == '-' || Character.isDigit(c);
    }

    private static CelType celType(FieldType type) {
        switch (type) {
            case STRING:
                return SimpleType.STRING;
            case LONG:
                return SimpleType.INT;
            case DOUBLE:
                return SimpleType.DOUBLE;
            case BOOLEAN:
                return SimpleType.BOOL;
            case TIMESTAMP:
                return SimpleType.TIMESTAMP;
            default:
                throw new AssertionError(type);
        }
    }

    private static Optional<FieldType> fieldType(CelType type) {
        CelKind kind = type.kind();
        switch (kind) {
            case STRING:
                return Optional.of(FieldType.STRING);
            case INT:
                return Optional.of(FieldType.LONG);
            case DOUBLE:
                return Optional.of(FieldType.DOUBLE);
            case BOOL:
                return Optional.of(FieldType.BOOLEAN);
            case TIMESTAMP:
                return Optional.of(FieldType.TIMESTAMP);
            default:
                return Optional.empty();
        }
    }

    private static String oneLine(String message) {
        // CEL's display form adds the source line and a caret on lines of their own
        String first = message == null ? "" : message.strip();
        int nl = first.indexOf('\n');
        return (nl < 0 ? first : first.substring(0, nl)).replaceFirst("^ERROR: <input>:\\S+ ", "");
    }

    /**
     * A compiled expression: its result type, the fields it reads, and a program to run. Not
     * serializable on purpose: the engine keeps the {@link SpecExpression} text in its operators
     * and compiles in {@code open()}.
     */
    public static final class Compiled {
        private final String text;
        private final String canonical;
        private final FieldType type;
        private final List<String> inputs;
        private final FieldType[] inputTypes;
        private final String fieldReference;
        private final CelRuntime.Program program;

        private Compiled(
                String text,
                String canonical,
                FieldType type,
                List<String> inputs,
                FieldType[] inputTypes,
                String fieldReference,
                CelRuntime.Program program) {
            this.text = text;
            this.canonical = canonical;
            this.type = type;
            this.inputs = Collections.unmodifiableList(inputs);
            this.inputTypes = inputTypes;
            this.fieldReference = fieldReference;
            this.program = program;
        }

        /** The expression as written. */
        public String text() {
            return text;
        }

        /**
         * The expression re-printed from its syntax tree: the same for {@code a+b} and {@code a +
         * b}, so formatting does not change a spec's fingerprint.
         */
        public String canonical() {
            return canonical;
        }

        /** The type every non-null result has. */
        public FieldType type() {
            return type;
        }

        /** The fields the expression reads, in the environment's order. */
        public List<String> inputs() {
            return inputs;
        }

        /** The field, when the whole expression is one field name (evaluated without CEL). */
        public Optional<String> fieldReference() {
            return Optional.ofNullable(fieldReference);
        }

        /** {@link #evaluate(Function)} over a map of field values. */
        public Object evaluate(Map<String, ?> values) {
            return evaluate(values::get);
        }

        /**
         * Evaluates over the fields {@code values} returns (engine form; see the class comment).
         * Null when any input is null.
         *
         * @throws IllegalArgumentException when an input has the wrong Java type or CEL fails
         *     (integer overflow, division by zero, an unknown time zone read from a field), with
         *     the expression and CEL's message
         */
        public Object evaluate(Function<String, ?> values) {
            Object[] in = new Object[inputs.size()];
            for (int i = 0; i < in.length; i++) {
                Object v = values.apply(inputs.get(i));
                if (v == null) {
                    return null;
                }
                in[i] = toCel(inputs.get(i), inputTypes[i], v);
            }
            if (fieldReference != null) {
                return fromCel(in[0]);
            }
            try {
                return fromCel(
                        program.eval(
                                name -> {
                                    for (int i = 0; i < in.length; i++) {
                                        if (inputs.get(i).equals(name)) {
                                            return Optional.of(in[i]);
                                        }
                                    }
                                    return Optional.empty();
                                }));
            } catch (CelEvaluationException e) {
                throw new IllegalArgumentException(
                        "\"" + text + "\" failed: " + oneLine(e.getMessage()), e);
            }
        }

        private Object toCel(String name, FieldType type, Object v) {
            if (!type.valueType().javaType().isInstance(v)) {
                throw new IllegalArgumentException(
                        "\""
                                + text
                                + "\": field '"
                                + name
                                + "' is "
                                + type
                                + ", got a "
                                + v.getClass().getSimpleName()
                                + " value "
                                + v);
            }
            return type == FieldType.TIMESTAMP ? Instant.ofEpochMilli((Long) v) : v;
        }

        private Object fromCel(Object v) {
            if (v instanceof Instant) {
                try {
                    return ((Instant) v).toEpochMilli();
                } catch (ArithmeticException e) {
                    throw new IllegalArgumentException(
                            "\"" + text + "\" gave a timestamp out of range: " + v, e);
                }
            }
            return v;
        }

        @Override
        public String toString() {
            return text + " : " + type;
        }
    }
}
