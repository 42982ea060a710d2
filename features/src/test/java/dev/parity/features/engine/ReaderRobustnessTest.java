package dev.parity.features.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parity.features.spec.BundledSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.io.LocalOutputFile;

/**
 * The readers' contract under any input: a CSV file, a Kafka JSON record or a Parquet file of
 * random bytes, or a valid one with random edits (quotes, separators, line breaks, bytes that are
 * not UTF-8, long runs), is read as rows that are valid or rejected with a reason, or fails with
 * one line naming the file. Never another exception, never a multi-line message.
 *
 * <p>The tries here keep the build short; {@code scripts/fuzz-readers.sh} runs many more ({@code
 * -Djqwik.tries.default}), and docs/BENCHMARKS.md ("Reader robustness") reports them.
 */
class ReaderRobustnessTest {
    private static final SpecPlan FLIGHTS = SpecPlan.of(BundledSpec.flights());
    private static final EventJson JSON = new EventJson(FLIGHTS);
    private static final byte[] INTERESTING = {
        ',',
        '"',
        '\n',
        '\r',
        ' ',
        '-',
        '0',
        '9',
        'T',
        'Z',
        ':',
        '.',
        '{',
        '}',
        '[',
        '\\',
        (byte) 0xFF,
        (byte) 0xC3,
        (byte) 0xE2,
        (byte) 0x80,
        0
    };

    private static final byte[] CSV =
            ("id,date,delay,distance,origin,destination\n"
                            + "0,2001-01-01T00:01:00Z,5,740,ORD,JFK\n"
                            + "1,2001-01-01T00:02:00Z,-3,1200,\"S\u00e3o, P\",LAX\n"
                            + "2,978307320000,0,337,LAX,SFO\n")
                    .getBytes(StandardCharsets.UTF_8);
    private static final byte[] EVENT =
            "{\"type\":\"departure\",\"id\":7,\"time\":\"2001-01-01T00:01:00Z\",\"origin\":\"LAS\",\"dest\":\"PHL\",\"distance\":2176}"
                    .getBytes(StandardCharsets.UTF_8);
    private static final byte[] PARQUET = parquetSeed();

    /** An edit of a seed: insert, delete, replace, or insert a run of {@code length} bytes. */
    record Edit(double at, int op, byte value, int length) {}

    @Property
    void anyCsvIsReadOrFailsInOneLine(@ForAll("csvs") byte[] data) throws IOException {
        checkFile("fuzz.csv", data);
    }

    @Property
    void anyJsonRecordIsAnEventOrADeadLetter(@ForAll("events") byte[] data) {
        DecodedRow r = JSON.decode("events", 0, data);
        if (!r.isValid()) {
            assertThat(r.reason).isNotBlank().doesNotContain("\n");
        } else {
            assertThat(r.events).isNotEmpty();
        }
    }

    @Property
    void anyParquetIsReadOrFailsInOneLine(@ForAll("parquets") byte[] data) throws IOException {
        checkFile("fuzz.parquet", data);
    }

    @Provide
    Arbitrary<byte[]> csvs() {
        return inputs(CSV);
    }

    @Provide
    Arbitrary<byte[]> events() {
        return inputs(EVENT);
    }

    @Provide
    Arbitrary<byte[]> parquets() {
        return inputs(PARQUET);
    }

    private static Arbitrary<byte[]> inputs(byte[] seed) {
        Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(600);
        Arbitrary<Edit> edit =
                Combinators.combine(
                                Arbitraries.doubles().between(0, 1),
                                Arbitraries.integers().between(0, 3),
                                Arbitraries.of(boxed(INTERESTING)),
                                Arbitraries.integers().between(1, 3000))
                        .as(Edit::new);
        Arbitrary<byte[]> edited = edit.list().ofMinSize(1).ofMaxSize(6).map(es -> apply(seed, es));
        return Arbitraries.frequencyOf(Tuple.of(1, random), Tuple.of(4, edited));
    }

    private static Byte[] boxed(byte[] b) {
        Byte[] out = new Byte[b.length];
        for (int i = 0; i < b.length; i++) {
            out[i] = b[i];
        }
        return out;
    }

    static byte[] apply(byte[] seed, List<Edit> edits) {
        List<Byte> b = new ArrayList<>(seed.length + 64);
        for (byte x : seed) {
            b.add(x);
        }
        for (Edit e : edits) {
            int at = (int) (e.at() * b.size());
            switch (e.op()) {
                case 0:
                    b.add(at, e.value());
                    break;
                case 1:
                    if (at < b.size()) {
                        b.remove(at);
                    }
                    break;
                case 2:
                    if (at < b.size()) {
                        b.set(at, e.value());
                    }
                    break;
                default:
                    for (int i = 0; i < e.length(); i++) {
                        b.add(at, e.value());
                    }
            }
        }
        byte[] out = new byte[b.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = b.get(i);
        }
        return out;
    }

    private static void checkFile(String name, byte[] data) throws IOException {
        Path dir = Files.createTempDirectory("parity-fuzz");
        Path file = dir.resolve(name);
        Files.write(file, data);
        try {
            List<DecodedRow> rows = new ArrayList<>();
            SpecFileInput.forEachRow(file.toString(), RowDecoder.forSource(FLIGHTS), rows::add);
            for (DecodedRow r : rows) {
                if (!r.isValid()) {
                    assertThat(r.reason).isNotBlank().doesNotContain("\n");
                } else {
                    assertThat(r.events).isNotEmpty();
                }
            }
        } catch (IOException | IllegalArgumentException e) {
            assertThat(e.getMessage()).contains(name).doesNotContain("\n");
        } finally {
            Files.deleteIfExists(file);
            Files.deleteIfExists(dir);
        }
    }

    private static byte[] parquetSeed() {
        try {
            Schema schema =
                    new Schema.Parser()
                            .parse(
                                    "{\"type\":\"record\",\"name\":\"r\",\"fields\":["
                                            + "{\"name\":\"id\",\"type\":\"long\"},"
                                            + "{\"name\":\"date\",\"type\":\"long\"},"
                                            + "{\"name\":\"delay\",\"type\":[\"null\",\"long\"]},"
                                            + "{\"name\":\"distance\",\"type\":\"long\"},"
                                            + "{\"name\":\"origin\",\"type\":\"string\"},"
                                            + "{\"name\":\"destination\",\"type\":\"string\"}]}");
            Path dir = Files.createTempDirectory("parity-fuzz-seed");
            Path file = dir.resolve("seed.parquet");
            try (ParquetWriter<GenericRecord> w =
                    AvroParquetWriter.<GenericRecord>builder(new LocalOutputFile(file))
                            .withSchema(schema)
                            .build()) {
                for (long i = 0; i < 20; i++) {
                    GenericRecord r = new GenericData.Record(schema);
                    r.put("id", i);
                    r.put("date", 978_307_260_000L + i * 60_000);
                    r.put("delay", i % 3 == 0 ? null : i - 5);
                    r.put("distance", 300 + i);
                    r.put("origin", i % 2 == 0 ? "ORD" : "S\u00e3o");
                    r.put("destination", "JFK");
                    w.write(r);
                }
            }
            byte[] bytes = Files.readAllBytes(file);
            Files.delete(file);
            Files.delete(dir);
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
