package dev.parity.features.flink;

import dev.parity.features.api.FeatureSet;
import dev.parity.features.core.FeatureGroup;
import dev.parity.features.events.FlightEvent;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichFlatMapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.util.Collector;

/**
 * Daily batch-feature snapshots of flight events: per entity (origin, dest, route) and UTC day,
 * every window feature of {@code set} evaluated at that day's midnight, from the events before it.
 * For a daily feature (such as {@code origin_delay_mean_30d_daily}) that is exactly the value every
 * flight of the day gets from {@link FeaturePipeline}; the others are their value at midnight.
 *
 * <pre>{@code
 * DataStream<FeatureSnapshot> snapshots =
 *         DailySnapshots.apply(events, FlightFeatures.standard(), "snapshots-");
 * }</pre>
 *
 * Late events are not filtered here: use it on bounded input (BATCH), where there are none.
 */
public final class DailySnapshots {
    private DailySnapshots() {}

    public static DataStream<FeatureSnapshot> apply(
            DataStream<FlightEvent> events, FeatureSet set, String uidPrefix) {
        return events.flatMap(new Route(set))
                .returns(TypeInformation.of(GroupInput.class))
                .name("route-snapshot-events")
                .uid(uidPrefix + "route-events")
                .keyBy(in -> in.key, Types.STRING)
                .process(new SnapshotFunction(set))
                .returns(TypeInformation.of(FeatureSnapshot.class))
                .name("daily-snapshots")
                .uid(uidPrefix + "daily-snapshots");
    }

    /** Each event to the groups that aggregate it (no queries: snapshots ask at midnight). */
    static final class Route extends RichFlatMapFunction<FlightEvent, GroupInput> {
        private static final long serialVersionUID = 1L;
        private final FeatureSet set;
        private transient List<FeatureGroup> groups;

        Route(FeatureSet set) {
            this.set = set;
        }

        @Override
        public void open(OpenContext openContext) {
            groups = FeatureGroup.plan(set);
        }

        @Override
        public void flatMap(FlightEvent e, Collector<GroupInput> out) {
            for (FeatureGroup g : groups) {
                if (g.consumes(e.type)) {
                    String key = GroupKeys.of(g.index(), g.key().keyOf(e.origin, e.dest));
                    out.collect(new GroupInput(key, g.index(), true, false, e));
                }
            }
        }
    }
}
