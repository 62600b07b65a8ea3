package it.firenze.streetcad.viability;

import it.firenze.streetcad.db.Database;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;

/**
 * Which planned or binding measures hold at an instant, their recurring local-time windows included: what the
 * {@code viability} tile layer draws at its {@code datetime}. The schedules are held in memory and reloaded when the
 * measures' revision (V11) moves, so that asking costs one small query however many tiles are drawn.
 */
public final class MeasureClock {

    private final Database database;
    private final ViabilityStore store;
    private final KeptMeasures planned;

    public MeasureClock(Database database) {
        this.database = database;
        this.store = new ViabilityStore(database.storageSrid());
        this.planned = new KeptMeasures(store, ViabilityStore.PLANNED_OR_BINDING);
    }

    /** The ids of the draft and binding measures whose schedule holds at {@code t}. */
    public long[] idsAt(Instant t) throws SQLException {
        List<Measure> measures;
        try (Connection c = database.readConnection()) {
            measures = planned.at(c, store.revisions(c)[1]);
        }
        return measures.stream().filter(m -> m.schedule().activeAt(t)).mapToLong(Measure::id).toArray();
    }
}
