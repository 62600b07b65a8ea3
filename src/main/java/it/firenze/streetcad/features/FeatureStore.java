package it.firenze.streetcad.features;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import it.firenze.streetcad.api.Json;
import it.firenze.streetcad.cql2.Queryable;
import it.firenze.streetcad.cql2.Sql;
import it.firenze.streetcad.db.AreaOfUse;
import it.firenze.streetcad.db.Database;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Optional;

/**
 * All of OGC API – Features' SQL. PostGIS writes each geometry as GeoJSON in the requested CRS (every transform
 * happens there, with ST_Transform); the properties come back as plain columns and {@link FeatureWriter} puts
 * the feature together. Building the properties with json_build_object in SQL cost the database more than
 * finding the rows (860 against 1,420 pages/s on Florence, BENCHMARKS.md), and the database is what a 2-core
 * machine runs out of first.
 */
public final class FeatureStore {

    private final Database database;

    public FeatureStore(Database database) {
        this.database = database;
    }

    public int storageSrid() {
        return database.storageSrid();
    }

    /**
     * One page: its features as a JSON array in UTF-8, ready to go out as they are (a page is written once, straight
     * into bytes, rather than feature by feature into strings joined later); {@code more} says a next page exists.
     */
    public record Page(ItemsVersion version, Features features, int numberReturned, long lastId, boolean more,
                       Long numberMatched, Long numberMatchedEstimate, Previous previous) {
    }

    /**
     * A page's features as written, read in place: a 100-feature page is some 65 KB, and copying it out of its
     * buffer and again into a body with the page's head took about 5 % of the server's CPU per page.
     */
    public static final class Features extends ByteArrayOutputStream {
        /**
         * Room kept before the features for the page's head (its counts and links, known only after the rows): the
         * whole page is then one range of this array, written out as it is.
         */
        private static final int HEAD_ROOM = 4096;
        private static final int FIRST_SIZE = 64 * 1024;
        /** Pages larger than this do not keep their array for the next one: a rare large page is not held forever. */
        private static final int LARGEST_KEPT = 256 * 1024;
        /**
         * The array of this thread's last page, once that page went out: a page's 64 KB or more, allocated and zeroed
         * for every page, were a third of what a page allocated, and so of the young collections' pauses.
         */
        private static final ThreadLocal<byte[]> SPARE = new ThreadLocal<>();

        Features() {
            super(0);
            byte[] spare = SPARE.get();
            SPARE.remove();
            buf = spare != null ? spare : new byte[FIRST_SIZE];
            count = HEAD_ROOM;
        }

        /**
         * Keeps the array for this thread's next page. Only once the page has been written out: nothing may read these
         * features afterwards.
         */
        public void recycle() {
            if (buf.length <= LARGEST_KEPT) SPARE.set(buf);
        }

        public ByteArrayInputStream reader() {
            return new ByteArrayInputStream(buf, HEAD_ROOM, count - HEAD_ROOM);
        }

        /**
         * {@code head}, the features and {@code end} as one range of one array, copying only the head and the end, or
         * empty when the head is longer than the room kept for it (links with a long filter, say).
         */
        public Optional<Framed> framed(byte[] head, byte[] end) {
            if (head.length > HEAD_ROOM) return Optional.empty();
            System.arraycopy(head, 0, buf, HEAD_ROOM - head.length, head.length);
            write(end, 0, end.length);
            return Optional.of(new Framed(buf, HEAD_ROOM - head.length, count - HEAD_ROOM + head.length));
        }
    }

    /** A page's bytes: {@code length} of {@code bytes} from {@code offset}. */
    public record Framed(byte[] bytes, int offset, int length) {
    }

    /**
     * Where the page before a keyset page starts: after {@code after}, or at the start when that is null. A keyset
     * page knows its previous page from the cursor alone: the {@code limit} ids before it, read backwards.
     */
    public record Previous(Long after) {
    }

    /**
     * The cadastre's data version (V10): how many committed transactions changed a collection's rows. Read before
     * a page, in its round trip, so that a page never carries a newer version than its data.
     */
    private static final String VERSION = "SELECT (SELECT folded FROM data_version_base) + (SELECT count(*) FROM data_change)";
    /**
     * What a page of items depends on, in one statement (two cost the database a second parse, plan and execution
     * per page): the data version and the latest validity boundary (a valid_from or valid_to) already passed, in
     * microseconds since 1970. The live rows change at each such instant with no write (a closure starting at
     * 08:00), so live items depend on it as much as on the data version. Read from V12's table of boundaries, never
     * from the cadastre's own tables.
     */
    private static final String ITEMS_VERSION = VERSION + ", coalesce((extract(epoch FROM (SELECT max(at) FROM "
            + "validity_boundary WHERE at <= now())) * 1000000)::bigint, 0)";

    /** What a page of items depends on: the data version and the latest validity boundary passed. */
    public record ItemsVersion(long data, long liveBoundaryMicros) {
        public String tag() {
            return data + "." + liveBoundaryMicros;
        }
    }
    /** Beyond this many unfolded rows, finished transactions' rows are folded into the base (see V10). */
    private static final long FOLD_ABOVE = 1_000;

    public long version() throws SQLException {
        try (Connection c = database.readConnection(); var st = c.prepareStatement(VERSION + ", (SELECT count(*) FROM data_change)");
             var rs = st.executeQuery()) {
            rs.next();
            if (rs.getLong(2) > FOLD_ABOVE) fold();
            return rs.getLong(1);
        }
    }

    /**
     * Folds the rows of transactions older than every running one into the base; the version stays the same. A write,
     * so on the primary even when reads go to a replica (which sees the fold when it replays it).
     */
    private void fold() throws SQLException {
        try (Connection c = database.connection(); var st = c.prepareStatement("WITH gone AS (DELETE FROM data_change "
                + "WHERE xid < pg_snapshot_xmin(pg_current_snapshot()) RETURNING 1) "
                + "UPDATE data_version_base SET folded = folded + (SELECT count(*) FROM gone)")) {
            st.executeUpdate();
        }
    }

    public ItemsVersion itemsVersion() throws SQLException {
        try (Connection c = database.readConnection(); var st = c.prepareStatement(ITEMS_VERSION)) {
            st.execute();
            return readItemsVersion(st);
        }
    }

    /** Reads the result of {@code ITEMS_VERSION}. */
    private static ItemsVersion readItemsVersion(java.sql.Statement st) throws SQLException {
        try (var rs = st.getResultSet()) {
            rs.next();
            return new ItemsVersion(rs.getLong(1), rs.getLong(2));
        }
    }

    public Page items(ItemQuery q) throws SQLException {
        // Without datetime or as-of, the items are the live ones; datetime selects by valid time among every
        // record; as-of reads what the cadastre recorded then, live then unless datetime says otherwise.
        Rows rows = q.asOf() != null ? Rows.asOf(q.asOf()) : q.hasDatetime() ? Rows.RECORDED : Rows.LIVE;
        Sql where = where(q, true);
        FeatureWriter writer = new FeatureWriter(q.type(), q.properties());
        Sql select = new Sql().append("SELECT ").append(columns(writer, q.crs()))
                .append(" FROM ").append(q.type().from()).append(where).append(" ORDER BY ");
        for (ItemQuery.SortKey k : q.sortby()) {
            select.append(q.type().property(k.property()).orElseThrow().sql())
                    .append(k.descending() ? " DESC NULLS LAST, " : " ASC NULLS LAST, ");
        }
        select.append(q.type().idSql()).append(" LIMIT ").bind(q.limit() + 1).append(" OFFSET ").bind(q.offset());
        Sql count = new Sql().append(q.exactCount() ? "SELECT count(*) FROM " : "EXPLAIN (FORMAT JSON) SELECT 1 FROM ")
                .append(q.type().from()).append(where(q, false));
        // The statements go in one round trip (pgjdbc pipelines a multi-statement prepared statement): under
        // load every extra wait for the database is another trip through a busy run queue.
        Sql all = new Sql().append(ITEMS_VERSION).append("; ").append(select).append("; ").append(count);
        if (q.after() != null) {
            Sql matching = where(q, false);
            all.append("; SELECT array(SELECT " + q.type().idSql() + " FROM ").append(q.type().from()).append(matching)
                    .append(matching.isEmpty() ? " WHERE " : " AND ").append(q.type().idSql() + " <= ").bind(q.after())
                    .append(" ORDER BY " + q.type().idSql() + " DESC LIMIT ").bind(q.limit() + 1).append(")");
        }
        try (Connection c = database.readConnection(); var st = rows.resolve(all).preparePlannedWithValues(c)) {
            st.execute();
            ItemsVersion version = readItemsVersion(st);
            st.getMoreResults();
            Features features = new Features();
            int returned = 0;
            long lastId = 0;
            boolean more = false;
            try (var rs = st.getResultSet(); FeatureWriter.Array array = writer.array(features)) {
                while (rs.next()) {
                    if (returned == q.limit()) {
                        more = true;
                        break;
                    }
                    array.add(rs);
                    lastId = rs.getLong(1);
                    returned++;
                }
            }
            st.getMoreResults();
            Long matched = null;
            long estimate;
            try (var rs = st.getResultSet()) {
                rs.next();
                if (q.exactCount()) {
                    matched = rs.getLong(1);
                    estimate = matched;
                } else if (!more && q.offset() == 0 && q.after() == null) {
                    // A last page from the start says exactly how many match: no planner guess (an empty table's
                    // plan says 460) where the truth is at hand.
                    estimate = returned;
                } else {
                    estimate = Math.max(planRows(rs.getBytes(1)), q.offset() + returned + (more ? 1 : 0));
                }
            }
            Previous previous = null;
            if (q.after() != null) {
                st.getMoreResults();
                try (var rs = st.getResultSet()) {
                    rs.next();
                    Long[] before = (Long[]) rs.getArray(1).getArray();
                    if (before.length > 0) previous = new Previous(before.length > q.limit() ? before[q.limit()] : null);
                }
            }
            return new Page(version, features, returned, lastId, more, matched,
                    matched == null ? estimate : null, previous);
        }
    }

    /**
     * The top plan node's row estimate from {@code EXPLAIN (FORMAT JSON)}: its first "Plan Rows" (the top node comes
     * first), read as a stream rather than as a tree of the whole plan.
     */
    private static long planRows(byte[] plan) throws SQLException {
        try (JsonParser json = Json.mapper().getFactory().createParser(plan)) {
            for (JsonToken t = json.nextToken(); t != null; t = json.nextToken()) {
                if (t == JsonToken.FIELD_NAME && json.currentName().equals("Plan Rows")) {
                    json.nextToken();
                    return json.getValueAsLong();
                }
            }
            throw new SQLException("a query plan without Plan Rows");
        } catch (IOException e) {
            throw new SQLException("unreadable query plan", e);
        }
    }

    /**
     * One feature as the cadastre holds it: {@code retired} when it has left the current view (V40's retired(): only
     * for a read of now, and only in the cadastre's tables, whose items a DELETE retires).
     */
    public record Item(String feature, boolean retired) {
    }

    /**
     * One feature by id, whatever its validity (a retired or planned row is still the cadastre's record of it), or
     * its version recorded at {@code asOf} when given.
     */
    public Optional<Item> item(FeatureType type, long id, Crs crs, OffsetDateTime asOf) throws SQLException {
        FeatureWriter writer = new FeatureWriter(type, null);
        boolean retirable = asOf == null && type.cadastreTable().isPresent();
        Sql sql = (asOf == null ? Rows.RECORDED : Rows.asOf(asOf)).resolve(new Sql().append("SELECT ")
                .append(columns(writer, crs))
                .append(retirable ? ", retired(" + type.validFromSql() + ", " + type.validToSql() + ")" : "")
                .append(" FROM ").append(type.from())
                .append(" WHERE ").append(type.idSql()).append(" = ").bind(id));
        try (Connection c = database.readConnection(); var st = sql.prepare(c); var rs = st.executeQuery()) {
            if (!rs.next()) return Optional.empty();
            boolean retired = retirable && rs.getBoolean(rs.getMetaData().getColumnCount());
            return Optional.of(new Item(writer.feature(rs), retired));
        }
    }

    /**
     * The last instant at which the current view, as the cadastre recorded it then, held item {@code id} of a
     * cadastre collection: where a version's recorded time and its validity last overlapped (for an item retired by a
     * DELETE, the instant of the DELETE). Empty when no version was ever live while it was recorded (one recorded
     * already ended, as a past fact entered late).
     */
    public Optional<OffsetDateTime> lastShown(FeatureType type, long id) throws SQLException {
        String table = type.cadastreTable().orElseThrow();
        String sql = "SELECT max(least(recorded_to, coalesce(valid_to, 'infinity'))) FROM (SELECT recorded_from, "
                + "'infinity'::timestamptz AS recorded_to, valid_from, valid_to FROM " + table + " WHERE id = ? "
                + "UNION ALL SELECT recorded_from, recorded_to, valid_from, valid_to FROM " + table + "_history "
                + "WHERE id = ?) v WHERE greatest(recorded_from, valid_from) < least(recorded_to, coalesce(valid_to, "
                + "'infinity'))";
        try (Connection c = database.readConnection(); var st = c.prepareStatement(sql)) {
            st.setLong(1, id);
            st.setLong(2, id);
            try (var rs = st.executeQuery()) {
                rs.next();
                return Optional.ofNullable(rs.getObject(1, OffsetDateTime.class));
            }
        }
    }

    /** The spatial extent in CRS84 and the first validity instant of every record, for a collection's description. */
    public record Extent(double[] bbox, String firstValidFrom) {
    }

    /**
     * The extent of a collection at data version {@code version}, kept so that describing the collections costs one
     * read of the version instead of a scan of every collection (seconds on Florence). After a change the kept
     * extent answers (an estimate, as the standard allows) while one background refresh computes the new one.
     */
    public Extent extent(FeatureType type, long version) throws SQLException {
        Versioned<Extent> kept = extents.get(type.id());
        if (kept == null) {
            Extent extent = extent(type);
            extents.put(type.id(), new Versioned<>(version, extent));
            return extent;
        }
        if (kept.version() < version && refreshing.add(type.id())) {
            Thread.ofVirtual().name("extent-" + type.id()).start(() -> {
                try {
                    extents.put(type.id(), new Versioned<>(version, extent(type)));
                } catch (SQLException e) {
                    LoggerFactory.getLogger(FeatureStore.class).warn("refreshing the extent of {} failed: {}",
                            type.id(), e.getMessage());
                } finally {
                    refreshing.remove(type.id());
                }
            });
        }
        return kept.value();
    }

    private record Versioned<T>(long version, T value) {
    }

    private final Map<String, Versioned<Extent>> extents = new ConcurrentHashMap<>();
    private final Set<String> refreshing = ConcurrentHashMap.newKeySet();

    private Extent extent(FeatureType type) throws SQLException {
        // Reprojecting each geometry (not the storage-CRS box) keeps the extent tight: UTM's grid is rotated.
        String sql = Rows.RECORDED.resolve("SELECT ST_XMin(b), ST_YMin(b), ST_XMax(b), ST_YMax(b), t FROM (SELECT "
                + "ST_Extent(ST_Transform(" + type.geometrySql() + ", 4326)) AS b, to_json(min("
                + type.validFromSql() + "))#>>'{}' AS t FROM " + type.from() + ") s");
        try (Connection c = database.readConnection(); var st = c.prepareStatement(sql); var rs = st.executeQuery()) {
            rs.next();
            double[] bbox = rs.getObject(1) == null ? null
                    : new double[]{rs.getDouble(1), rs.getDouble(2), rs.getDouble(3), rs.getDouble(4)};
            return new Extent(bbox, rs.getString(5));
        }
    }

    /** The conditions of a query; the keyset cursor only for the page itself, not for what the count matches. */
    private Sql where(ItemQuery q, boolean withCursor) {
        FeatureType t = q.type();
        List<Sql> conditions = new ArrayList<>();
        if (q.bbox() != null) {
            conditions.add(new Sql().append("ST_Intersects(" + t.geometrySql() + ", ")
                    .append(boxInStorage(q.bbox(), q.bboxCrs().srid())).append(")"));
        }
        if (withCursor && q.after() != null) conditions.add(new Sql().append(t.idSql() + " > ").bind(q.after()));
        if (q.asOf() != null && !q.hasDatetime()) {
            conditions.add(new Sql().append("live_at(" + t.validFromSql() + ", " + t.validToSql() + ", ")
                    .bind(q.asOf()).append(")"));
        }
        if (q.hasDatetime()) {
            // Validity is half-open, [valid_from, valid_to): an empty one (a works site withdrawn before its first
            // phase, a row retired in the transaction that made it) was in force at no time, so no datetime meets it,
            // though an interval may hold its one bound.
            conditions.add(new Sql().append("(" + t.validToSql() + " IS NULL OR " + t.validToSql() + " > "
                    + t.validFromSql() + ")"));
            if (q.to() != null) conditions.add(new Sql().append(t.validFromSql() + " <= ").bind(q.to()));
            if (q.from() != null) {
                conditions.add(new Sql().append("(" + t.validToSql() + " IS NULL OR " + t.validToSql() + " > ")
                        .bind(q.from()).append(")"));
            }
        }
        if (!q.filter().isEmpty()) conditions.add(new Sql().append("(").append(q.filter()).append(")"));
        Sql where = new Sql();
        for (int i = 0; i < conditions.size(); i++) where.append(i == 0 ? " WHERE " : " AND ").append(conditions.get(i));
        return where;
    }

    /**
     * A client's box in the storage CRS, cut to the storage CRS's area of use first ({@link AreaOfUse}). A
     * geographic box whose west edge lies east of its east edge crosses the antimeridian (OGC API – Features Part 1,
     * 7.15.3): it is the two boxes on either side of it.
     */
    private Sql boxInStorage(double[] b, int srid) {
        Sql box = new Sql();
        if (b[0] > b[2]) {
            box.append("ST_Collect(").append(envelope(b[0], b[1], 180, b[3], srid)).append(", ")
                    .append(envelope(-180, b[1], b[2], b[3], srid)).append(")");
        } else {
            box.append(envelope(b[0], b[1], b[2], b[3], srid));
        }
        String[] around = AreaOfUse.toStorage(GEOMETRY, srid, storageSrid()).split(GEOMETRY, 2);
        return new Sql().append(around[0]).append(box).append(around[1]);
    }

    /** Where {@link AreaOfUse#toStorage} is told to put the box, which carries bound values. */
    private static final String GEOMETRY = "<box>";

    private static Sql envelope(double minX, double minY, double maxX, double maxY, int srid) {
        return new Sql().append("ST_MakeEnvelope(").bind(minX).append(", ").bind(minY).append(", ").bind(maxX)
                .append(", ").bind(maxY).append(", " + srid + ")");
    }

    /** The id, the geometry as GeoJSON in the requested CRS and axis order, then the properties: what {@link FeatureWriter} reads. */
    private String columns(FeatureWriter writer, Crs crs) {
        FeatureType type = writer.type();
        String geometry = type.geometrySql();
        if (crs.srid() != storageSrid()) geometry = "ST_Transform(" + geometry + ", " + crs.srid() + ")";
        if (crs.northFirst()) geometry = "ST_FlipCoordinates(" + geometry + ")";
        StringBuilder columns = new StringBuilder(type.idSql()).append(", ST_AsGeoJSON(").append(geometry)
                .append(", ").append(crs.decimals()).append(", 0)");
        for (Queryable p : writer.properties()) columns.append(", ").append(p.sql());
        return columns.toString();
    }
}
