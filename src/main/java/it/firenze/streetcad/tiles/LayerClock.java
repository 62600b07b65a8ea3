package it.firenze.streetcad.tiles;

import java.sql.SQLException;
import java.time.Instant;

/** The ids of a timed layer's rows that hold at an instant (see {@link TileLayer#timed()}). */
@FunctionalInterface
public interface LayerClock {

    long[] idsAt(Instant t) throws SQLException;
}
