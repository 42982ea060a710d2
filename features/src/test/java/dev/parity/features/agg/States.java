package dev.parity.features.agg;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Serialization and comparison helpers shared by the aggregation tests. */
final class States {
    private States() {}

    static byte[] bytes(AggState<?> state) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            state.write(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Writes and reads back {@code state}, checking that the reader takes every byte. */
    static <S extends AggState<S>> S roundTrip(Aggregator<S> agg, S state) {
        byte[] bytes = bytes(state);
        try {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
            S back = agg.read(in);
            assertThat(in.available()).as("bytes left unread of %s", state).isZero();
            return back;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Equal feature values; doubles compared by their bits, so {@code -0.0} differs from {@code
     * 0.0} and a sum that is off by one ulp fails.
     */
    static void assertSameValue(Object actual, Object expected, String context) {
        if (actual instanceof Double && expected instanceof Double) {
            assertThat(Double.doubleToRawLongBits((Double) actual))
                    .as("%s: %s, expected %s", context, actual, expected)
                    .isEqualTo(Double.doubleToRawLongBits((Double) expected));
        } else {
            assertThat(actual).as(context).isEqualTo(expected);
        }
    }
}
