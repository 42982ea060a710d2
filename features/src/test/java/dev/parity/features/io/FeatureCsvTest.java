package dev.parity.features.io;

import static org.assertj.core.api.Assertions.assertThat;

import dev.parity.features.api.FlightFeatures;
import dev.parity.features.core.FeatureVector;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class FeatureCsvTest {
    private final FeatureCsv csv = new FeatureCsv(FlightFeatures.standard());

    @Test
    void theHeaderIsTheDesignHeader() {
        assertThat(csv.header())
                .isEqualTo(
                        "id,dep_time,origin,dest,distance,dep_hour,dep_dow,origin_dep_1h,"
                                + "dest_arr_1h,origin_delay_mean_6h,dest_delay_mean_1h,"
                                + "route_delay_mean_7d,origin_delay_mean_30d_daily,delay");
    }

    @Test
    void nullsAreEmptyCountsAreIntegersAndMeansUseDoubleToString() {
        FeatureVector v = new FeatureVector();
        v.id = 20000;
        // 2001-01-02 was a Tuesday (ISO 2)
        v.setContext(Instant.parse("2001-01-02T10:45:00Z").toEpochMilli(), "MDW", "IND", 162);
        v.values = new double[] {4, 0, 2.0 / 11, Double.NaN, 20.0 / 3, Double.NaN};
        v.label = 8L;
        assertThat(csv.format(v))
                .isEqualTo(
                        "20000,2001-01-02T10:45:00Z,MDW,IND,162,10,2,4,0,0.18181818181818182,,"
                                + "6.666666666666667,,8");
        v.label = null;
        assertThat(csv.format(v)).endsWith(",6.666666666666667,,");
    }
}
