package dev.parity.features.io;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parity.features.api.FlightFeatures;
import dev.parity.features.core.FeatureVector;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class FeatureCsvTest {
    private static final String DESIGN_HEADER =
            "id,dep_time,origin,dest,distance,dep_hour,dep_dow,origin_dep_1h,dest_arr_1h,"
                    + "origin_delay_mean_6h,dest_delay_mean_1h,route_delay_mean_7d,"
                    + "origin_delay_mean_30d_daily,delay";

    private final FeatureCsv csv = new FeatureCsv(FlightFeatures.standard());

    private static FeatureVector vector(double[] values, Long label) {
        FeatureVector v = new FeatureVector();
        v.id = 12;
        // a Monday
        v.setContext(Instant.parse("2001-01-01T00:01:00Z").toEpochMilli(), "LAS", "PHL", 2176);
        v.values = values;
        v.label = label;
        return v;
    }

    @Test
    void headerIsTheDesignHeader() {
        assertThat(csv.header()).isEqualTo(DESIGN_HEADER);
    }

    @Test
    void formatsCountsAsIntegersAndMeansWithDoubleToString() {
        double third = 1.0 / 3.0;
        FeatureVector v = vector(new double[] {3, 0, 12.5, -4.0, third, 1e-7}, 33L);

        assertThat(csv.format(v))
                .isEqualTo(
                        "12,2001-01-01T00:01:00Z,LAS,PHL,2176,0,1,3,0,12.5,-4.0,"
                                + Double.toString(third)
                                + ",1.0E-7,33");
    }

    @Test
    void nullsAreEmptyFields() {
        double nan = Double.NaN;
        FeatureVector v = vector(new double[] {0, 1, nan, nan, nan, nan}, null);

        String line = csv.format(v);

        assertThat(line).isEqualTo("12,2001-01-01T00:01:00Z,LAS,PHL,2176,0,1,0,1,,,,,");
        assertThat(line.split(",", -1)).hasSize(DESIGN_HEADER.split(",").length);
    }

    @Test
    void contextFollowsTheDepartureInUtc() {
        FeatureVector v = vector(new double[] {0, 0, 1, 1, 1, 1}, -5L);
        // a Sunday, 23:59 UTC
        v.setContext(Instant.parse("2001-01-07T23:59:00Z").toEpochMilli(), "A", "B", 0);

        assertThat(csv.format(v))
                .isEqualTo("12,2001-01-07T23:59:00Z,A,B,0,23,7,0,0,1.0,1.0,1.0,1.0,-5");
    }

    @Test
    void contextHelpersMatchJavaTime() {
        long t = Instant.parse("1969-12-31T22:30:00Z").toEpochMilli();
        assertThat(FeatureVector.hourOf(t)).isEqualTo(22);
        // 1969-12-31 was a Wednesday
        assertThat(FeatureVector.isoDayOfWeek(t)).isEqualTo(3);
        assertThat(FeatureVector.isoDayOfWeek(0)).isEqualTo(4);
    }
}
