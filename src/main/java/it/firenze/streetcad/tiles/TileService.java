package it.firenze.streetcad.tiles;

import it.firenze.streetcad.db.Database;
import it.firenze.streetcad.db.DatabaseUnavailableException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Metrics;
import org.locationtech.jts.geom.Geometry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import java.util.zip.GZIPOutputStream;

/**
 * Makes, caches and invalidates tiles. The cache of this instance follows the database's change log (filled by
 * triggers, see V4), so every instance behind a load balancer drops the same tiles after a change and computes
 * the same ETags: an ETag is derived from the data version of the tile's area, not from anything in memory.
 */
public final class TileService implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TileService.class);

    private final TileSettings settings;
    private final TileQueries queries;
    private final TileCache cache;
    private final ScheduledExecutorService poller;
    /** Change-log rows already applied whose transactions are not below the horizon yet, by id. */
    private final Map<Long, Long> applied = new HashMap<>();
    private long horizon;
    private final Set<TileLayer> present = ConcurrentHashMap.newKeySet();
    private static final long COMPACT_AT_MOST_EVERY_SECONDS = 600;
    private static final Counter HITS = Metrics.counter("streetcad.tiles.cache.requests", "result", "hit");
    private static final Counter MISSES = Metrics.counter("streetcad.tiles.cache.requests", "result", "miss");

    private final Map<TileLayer, LayerClock> clocks;

    private TileService(Database database, TileSettings settings, Map<TileLayer, LayerClock> clocks) {
        this.settings = settings;
        this.clocks = Map.copyOf(clocks);
        this.queries = new TileQueries(database, settings);
        this.cache = new TileCache(settings.cacheBytes(), settings.bufferRatio());
        Gauge.builder("streetcad.tiles.cache.bytes", cache, TileCache::bytes).baseUnit("bytes").register(Metrics.globalRegistry);
        Gauge.builder("streetcad.tiles.cache.tiles", cache, TileCache::size).register(Metrics.globalRegistry);
        this.poller = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tile-change-poller");
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts following the change log; what was logged before now cannot concern this instance's empty cache. */
    public static TileService start(Database database, TileSettings settings) {
        return start(database, settings, Map.of());
    }

    /** As {@link #start(Database, TileSettings)}, with the clocks that tell a timed layer's rows at an instant. */
    public static TileService start(Database database, TileSettings settings, Map<TileLayer, LayerClock> clocks) {
        TileService service = new TileService(database, settings, clocks);
        try {
            TileQueries.ChangeBatch first = service.queries.changesSince(0);
            service.horizon = first.horizon();
            first.changes().stream().filter(c -> c.xid() >= first.horizon()).forEach(c -> service.applied.put(c.id(), c.xid()));
        } catch (SQLException e) {
            throw new DatabaseUnavailableException("Reading the tile change log failed: " + e.getMessage(), e);
        }
        service.poller.scheduleWithFixedDelay(service::pollSafely, settings.pollMillis(), settings.pollMillis(),
                TimeUnit.MILLISECONDS);
        // Often enough that the log never holds much more than its retention's changes; each run is one statement.
        long compactEvery = Math.min(settings.changeRetention().toSeconds() / 4, COMPACT_AT_MOST_EVERY_SECONDS);
        service.poller.scheduleWithFixedDelay(service::compactSafely, compactEvery, compactEvery, TimeUnit.SECONDS);
        return service;
    }

    public TileSettings settings() {
        return settings;
    }

    /**
     * The tile, from the cache or freshly made; thinned (least important features first) to fit the size cap.
     * {@code at} is the instant of a timed layer (null for the others).
     */
    public Tile tile(TileLayer layer, TileFormat format, TileAddress address, Instant at) throws SQLException {
        TileCache.Key key = new TileCache.Key(layer, format, address, at);
        Tile cached = cache.get(key);
        if (cached != null) {
            HITS.increment();
            return cached;
        }
        MISSES.increment();
        long epoch = cache.epoch();
        Tile tile = make(layer, format, address, at);
        cache.put(key, tile, epoch);
        return tile;
    }

    /**
     * The ETag the tile has now, when it can be told without making the tile: from the cache, or from the area's
     * data version (one indexed query) for a tile not cached here.
     */
    public String etag(TileLayer layer, TileFormat format, TileAddress address, Instant at) throws SQLException {
        Tile cached = cache.get(new TileCache.Key(layer, format, address, at));
        if (cached != null) return cached.etag();
        if (address.z() < layer.minZoom(settings.detailZoom())) return etag(layer, format, address, at, null);
        return etag(layer, format, address, at, queries.version(address));
    }

    /**
     * The dataset's tile (OGC API – Tiles dataset tilesets): every served layer's MVT tile in one. An MVT tile is a
     * list of layers, so the layers' own tiles concatenated are one valid tile; each is made, cached and purged as
     * its own, and the dataset tile's ETag is theirs together.
     */
    public Tile datasetTile(TileAddress address) throws SQLException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        List<String> etags = new ArrayList<>();
        int features = 0;
        boolean thinned = false;
        Instant now = thisMinute();
        for (TileLayer layer : servedLayers()) {
            Tile t = tile(layer, TileFormat.MVT, address, layer.timed() ? now : null);
            body.writeBytes(t.body());
            etags.add(t.etag());
            features += t.features();
            thinned |= t.thinned();
        }
        return tile(TileFormat.MVT, body.toByteArray(), datasetEtag(address, etags), features, thinned);
    }

    /** The dataset tile's ETag now, from its layers' (see {@link #etag(TileLayer, TileFormat, TileAddress, Instant)}). */
    public String datasetEtag(TileAddress address) throws SQLException {
        List<String> etags = new ArrayList<>();
        Instant now = thisMinute();
        for (TileLayer layer : servedLayers()) etags.add(etag(layer, TileFormat.MVT, address, layer.timed() ? now : null));
        return datasetEtag(address, etags);
    }

    private static String datasetEtag(TileAddress a, List<String> layerEtags) {
        CRC32 crc = new CRC32();
        layerEtags.forEach(e -> crc.update(e.getBytes(StandardCharsets.UTF_8)));
        return "\"dataset-mvt-" + a.z() + "-" + a.x() + "-" + a.y() + "-" + Long.toHexString(crc.getValue()) + "\"";
    }

    /**
     * The instant a timed layer is drawn at when none is asked for: now, to the minute, so that the tiles of one
     * minute share their cache entries and ETags.
     */
    public static Instant thisMinute() {
        return Instant.now().truncatedTo(ChronoUnit.MINUTES);
    }

    /** The layers served, in the order of {@link TileLayer}. */
    public List<TileLayer> servedLayers() throws SQLException {
        List<TileLayer> layers = new ArrayList<>();
        for (TileLayer layer : TileLayer.values()) if (available(layer)) layers.add(layer);
        return layers;
    }

    /**
     * Whether the layer is served: its table exists. Once seen, a table is taken to stay, so only a layer still
     * waiting for its migration costs a query.
     */
    public boolean available(TileLayer layer) throws SQLException {
        if (present.contains(layer)) return true;
        if (layer.timed() && !clocks.containsKey(layer)) return false;
        if (!queries.present(layer)) return false;
        present.add(layer);
        return true;
    }

    public Optional<double[]> bounds(TileLayer layer) throws SQLException {
        return queries.bounds(layer);
    }

    private Tile make(TileLayer layer, TileFormat format, TileAddress address, Instant at) throws SQLException {
        if (address.z() < layer.minZoom(settings.detailZoom())) {
            return tile(format, emptyBody(format), etag(layer, format, address, at, null), 0, false);
        }
        long[] ids = layer.timed() ? clocks.get(layer).idsAt(at) : null;
        TileQueries.Encoded encoded = queries.tile(layer, format, address, settings.maxFeatures(), ids);
        int all = encoded.features();
        for (int attempt = 0; encoded.body().length > settings.maxTileBytes() && encoded.features() > 1 && attempt < 5; attempt++) {
            int limit = (int) Math.max(1, encoded.features() * 0.9 * settings.maxTileBytes() / encoded.body().length);
            encoded = queries.tile(layer, format, address, limit, ids);
        }
        boolean thinned = all >= settings.maxFeatures() || encoded.features() < all;
        if (thinned) LOG.info("tile {} {} thinned to its {} most important features", layer.id(), address, encoded.features());
        return tile(format, encoded.body(), etag(layer, format, address, at, encoded.version()), encoded.features(), thinned);
    }

    private static byte[] emptyBody(TileFormat format) {
        return format == TileFormat.GEOJSON ? "{\"type\":\"FeatureCollection\",\"features\":[]}".getBytes() : new byte[0];
    }

    private static Tile tile(TileFormat format, byte[] body, String etag, int features, boolean thinned) {
        return new Tile(format, body, gzip(body, format.gzipLevel()), etag, features, thinned);
    }

    /** Strong ETag: the same on every instance for the same data in the area, settings, URL and instant. */
    private String etag(TileLayer layer, TileFormat format, TileAddress a, Instant at, TileQueries.AreaVersion version) {
        String data = version == null ? "static" : version.changes() + "." + version.last();
        return "\"" + layer.id() + "-" + format.extension() + "-" + a.z() + "-" + a.x() + "-" + a.y() + "-" + data + "-"
                + (at == null ? "" : at.getEpochSecond() + "-") + settings.contentFingerprint() + "\"";
    }

    private static byte[] gzip(byte[] body, int level) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(body.length / 2 + 32);
        try (GZIPOutputStream gz = new GZIPOutputStream(out, 8192) {
            {
                def.setLevel(level);
            }
        }) {
            gz.write(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private void pollSafely() {
        try {
            poll();
        } catch (SQLException | RuntimeException e) {
            // The horizon did not move, so the next poll reads the same changes again: nothing is missed.
            LOG.warn("reading the tile change log failed, retrying: {}", e.getMessage());
        }
    }

    private void compactSafely() {
        try {
            compact();
        } catch (SQLException | RuntimeException e) {
            LOG.warn("compacting the tile change log failed, retrying later: {}", e.getMessage());
        }
    }

    /**
     * Replaces the change log's rows older than the retention by one row per grid cell they met (V16), so that it
     * stays small and tile ETags stay one cheap query; the next poll of every instance purges the tiles of those cells.
     */
    int compact() throws SQLException {
        int compacted = queries.compact(settings.changeRetention());
        if (compacted > 0) LOG.info("{} tile changes older than {} compacted into grid cells", compacted, settings.changeRetention());
        return compacted;
    }

    /** Reads the changes committed since the last poll and purges the tiles they touch. */
    synchronized void poll() throws SQLException {
        TileQueries.ChangeBatch batch = queries.changesSince(horizon);
        List<Geometry> extents = batch.changes().stream()
                .filter(c -> applied.putIfAbsent(c.id(), c.xid()) == null)
                .map(TileQueries.Change::extent)
                .toList();
        horizon = batch.horizon();
        applied.values().removeIf(xid -> xid < horizon);
        if (!extents.isEmpty()) {
            int dropped = cache.purge(extents);
            LOG.debug("{} changed extents purged {} cached tiles", extents.size(), dropped);
        }
    }

    /** Cached tiles and their bytes, for tests and the operator. */
    public long[] cacheUsage() {
        return new long[]{cache.size(), cache.bytes()};
    }

    @Override
    public void close() {
        poller.shutdownNow();
        try {
            poller.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
