package it.firenze.streetcad.tiles;

import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.index.strtree.STRtree;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The in-process tile cache: least recently used tiles leave first once the byte budget is spent, and a batch
 * of changed geometries drops exactly the tiles whose area (tile plus buffer) meets one of them, at every zoom.
 *
 * <p>A tile read from the database before a change committed must not enter the cache after that change was
 * purged. Each purge starts a new epoch; a tile is offered with the epoch its query started in, and is refused
 * when a purge since then touched its area (or is too old to tell).
 */
final class TileCache {

    /** A tile of a timed layer is kept per instant ({@code at}); null for the others. */
    record Key(TileLayer layer, TileFormat format, TileAddress address, java.time.Instant at) {
    }

    private record Purge(long epoch, List<Geometry> changes) {
    }

    private static final GeometryFactory GEOMETRIES = new GeometryFactory();

    private static final int REMEMBERED_PURGES = 64;

    private final long budget;
    private final double bufferRatio;
    private final LinkedHashMap<Key, Tile> tiles = new LinkedHashMap<>(1024, 0.75f, true);
    private final Deque<Purge> recentPurges = new ArrayDeque<>();
    private long bytes;
    private long epoch;

    TileCache(long budget, double bufferRatio) {
        this.budget = budget;
        this.bufferRatio = bufferRatio;
    }

    synchronized Tile get(Key key) {
        return tiles.get(key);
    }

    synchronized long epoch() {
        return epoch;
    }

    /** Keeps a tile computed by a query that started in {@code since}, unless a later purge touched it. */
    synchronized void put(Key key, Tile tile, long since) {
        if (budget == 0 || tile.weight() > budget / 4) return;
        if (since != epoch) {
            if (recentPurges.isEmpty() || recentPurges.peekFirst().epoch() > since + 1) return;
            Envelope area = area(key.address());
            for (Purge p : recentPurges) {
                if (p.epoch() > since && p.changes().stream().anyMatch(g -> meets(g, area))) return;
            }
        }
        Tile old = tiles.put(key, tile);
        bytes += tile.weight() - (old == null ? 0 : old.weight());
        for (Iterator<Tile> it = tiles.values().iterator(); bytes > budget && it.hasNext(); ) {
            bytes -= it.next().weight();
            it.remove();
        }
    }

    /** Drops every tile whose area meets one of the changed geometries (EPSG:3857) and returns how many. */
    synchronized int purge(List<Geometry> changes) {
        epoch++;
        recentPurges.addLast(new Purge(epoch, changes));
        if (recentPurges.size() > REMEMBERED_PURGES) recentPurges.removeFirst();
        STRtree index = new STRtree();
        changes.forEach(g -> index.insert(g.getEnvelopeInternal(), g));
        int dropped = 0;
        for (Iterator<Map.Entry<Key, Tile>> it = tiles.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Key, Tile> entry = it.next();
            Envelope area = area(entry.getKey().address());
            if (index.query(area).stream().anyMatch(g -> meets((Geometry) g, area))) {
                bytes -= entry.getValue().weight();
                it.remove();
                dropped++;
            }
        }
        return dropped;
    }

    synchronized int size() {
        return tiles.size();
    }

    synchronized long bytes() {
        return bytes;
    }

    /** As the database's ST_Intersects(change, area) that versions the tile: a box test first, exact after. */
    private static boolean meets(Geometry change, Envelope area) {
        return change.getEnvelopeInternal().intersects(area) && change.intersects(GEOMETRIES.toGeometry(area));
    }

    /** The tile's envelope grown by its buffer, as the tile query reads it. */
    Envelope area(TileAddress t) {
        double margin = t.size() * bufferRatio;
        return new Envelope(t.minX() - margin, t.maxX() + margin, t.minY() - margin, t.maxY() + margin);
    }
}
