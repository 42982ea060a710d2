package dev.parity.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FeatureTableTest {
    @TempDir Path dir;

    @Test
    void loadsColumnsInRequestedOrderSkipsUnlabelledAndSplitsByMonth() throws Exception {
        Path csv = dir.resolve("features.csv");
        Files.writeString(
                csv,
                "id,dep_time,a,b,delay\n"
                        + "1,2001-01-31T23:59:00Z,1.5,,10\n"
                        + "2,2001-05-01T00:00:00Z,2,3,\n"
                        + "3,2001-05-02T00:00:00Z,4,5,-3\n"
                        + "4,2001-06-30T12:00:00Z,6,7,0\n");

        FeatureTable t = FeatureTable.load(csv, List.of("b", "a"));

        assertThat(t.rows()).isEqualTo(3);
        assertThat(t.unlabelled()).isEqualTo(1);
        assertThat(t.feature(0, 0)).isNaN();
        assertThat(t.feature(0, 1)).isEqualTo(1.5f);
        assertThat(t.id(1)).isEqualTo(3);
        assertThat(t.label(1)).isEqualTo(-3f);
        assertThat(t.rowsOf(FeatureTable.Split.TRAIN)).containsExactly(0);
        assertThat(t.rowsOf(FeatureTable.Split.VALIDATION)).containsExactly(1);
        assertThat(t.rowsOf(FeatureTable.Split.REPORT)).containsExactly(2);
        assertThat(t.features(new int[] {2, 1})).containsExactly(7f, 6f, 5f, 4f);
        assertThat(t.labels(new int[] {2})).containsExactly(0f);
    }

    @Test
    void badNumberNamesFileLineAndColumn() throws Exception {
        Path csv = dir.resolve("bad.csv");
        Files.writeString(csv, "id,dep_time,a,delay\n1,2001-01-01T00:00:00Z,x,1\n");
        assertThatThrownBy(() -> FeatureTable.load(csv, List.of("a")))
                .hasMessageContaining("bad.csv:2: column 'a': bad number 'x'");
    }

    @Test
    void missingColumnIsNamed() throws Exception {
        Path csv = dir.resolve("m.csv");
        Files.writeString(csv, "id,dep_time,delay\n");
        assertThatThrownBy(() -> FeatureTable.load(csv, List.of("a")))
                .hasMessageContaining("m.csv:1: missing column 'a'");
    }
}
