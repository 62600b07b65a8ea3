package it.firenze.streetcad.importer;

import com.fasterxml.jackson.core.JsonProcessingException;
import it.firenze.streetcad.api.Json;
import org.locationtech.jts.io.WKBWriter;
import org.locationtech.jts.geom.LineString;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.stream.Collectors;

/**
 * One import's staging table and every SQL statement run on it. The table is UNLOGGED (scratch data, twice as
 * fast to fill) and named after the job, so concurrent imports never share one. Its name is built from the job
 * id only, never from user text.
 */
final class StagingTable {

    private static final List<TargetField> FIELDS = List.of(TargetField.values());

    /** The column of the source fields no mapping rule read, as a JSON object typed as the source typed them. */
    static final String SOURCE_ATTRIBUTES = "source_attributes";

    private final String name;

    StagingTable(long jobId) {
        this.name = "import_staging_" + jobId;
    }

    String name() {
        return name;
    }

    /** The tables a committed import leaves for its follow-up (see {@link StagedFindings}). */
    StagedFindings findings() {
        return new StagedFindings(name + "_findings", name + "_elements");
    }

    /** Creates the table that keeps every finding of the checks, and starts streaming them into it. */
    FindingsCopy copyFindings(Connection c) throws SQLException {
        String table = findings().findings();
        execute(c, "DROP TABLE IF EXISTS " + table);
        execute(c, "CREATE UNLOGGED TABLE " + table + " (rule text NOT NULL, severity text NOT NULL, explanation text NOT NULL, "
                + "parameters jsonb NOT NULL, location geometry, feature_numbers bigint[] NOT NULL, fingerprint text)");
        return new FindingsCopy(c.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY " + table + " FROM STDIN"));
    }

    /**
     * Within a commit: whether the checks' findings were kept, and if so a table for which element each staged
     * feature becomes (indexed both ways, for the follow-up's joins).
     */
    boolean keepElements(Connection c) throws SQLException {
        StagedFindings kept = findings();
        if (!exists(c, kept.findings())) return false;
        execute(c, "CREATE UNLOGGED TABLE " + kept.elements() + " (feature_number bigint, element_id bigint NOT NULL)");
        execute(c, "CREATE INDEX ON " + kept.elements() + " (element_id)");
        execute(c, "CREATE INDEX ON " + kept.elements() + " (feature_number)");
        return true;
    }

    /** Whether a commit mapped the kept findings' features to elements. */
    boolean elementsKept(Connection c) throws SQLException {
        return exists(c, findings().elements());
    }

    /** Drops what the follow-up of a commit read. */
    void dropFindings(Connection c) throws SQLException {
        execute(c, "DROP TABLE IF EXISTS " + findings().findings() + ", " + findings().elements());
    }

    void create(Connection c) throws SQLException {
        String columns = FIELDS.stream().map(f -> f.column() + " " + f.sqlType()).collect(Collectors.joining(", "));
        execute(c, "DROP TABLE IF EXISTS " + name);
        execute(c, "CREATE UNLOGGED TABLE " + name + " (feature_number bigint NOT NULL, geom geometry, " + columns
                + ", " + SOURCE_ATTRIBUTES + " jsonb, rejected boolean NOT NULL DEFAULT false)");
    }

    /** Streams rows into the table with COPY; memory stays at one buffer whatever the number of rows. */
    Copy copy(Connection c) throws SQLException {
        String columns = FIELDS.stream().map(TargetField::column).collect(Collectors.joining(", "));
        CopyIn in = c.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY " + name + " (feature_number, geom, " + columns
                + ", " + SOURCE_ATTRIBUTES + ", rejected) FROM STDIN");
        return new Copy(in);
    }

    /** Moves every line from the source CRS to the storage CRS, in PostGIS, and pins the column type. */
    void reproject(Connection c, int storageSrid) throws SQLException {
        execute(c, "ALTER TABLE " + name + " ALTER COLUMN geom TYPE geometry(LineString, " + storageSrid + ") USING "
                + "ST_Transform(geom, " + storageSrid + ")");
        execute(c, "ANALYZE " + name);
    }

    /** Lines that PostGIS finds invalid once in the storage CRS (too few distinct points, non-finite coordinates). */
    List<ImportProblem> invalidGeometries(Connection c) throws SQLException {
        List<ImportProblem> out = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT feature_number, ST_IsValidReason(geom) FROM "
                + name + " WHERE geom IS NOT NULL AND NOT ST_IsValid(geom) ORDER BY feature_number")) {
            while (rs.next()) {
                out.add(ImportProblem.error(rs.getLong(1), "geometry", "invalid line in the storage CRS: " + rs.getString(2)));
            }
        }
        return out;
    }

    /**
     * For upsert, every feature needs a key, and a key may come only once. A missing key names the source fields
     * the mapping takes it from ({@code keySources}; empty when the mapping has no rule for source_key).
     */
    List<ImportProblem> unusableSourceKeys(Connection c, List<String> keySources) throws SQLException {
        String missing = keySources.isEmpty() ? "the mapping has no rule for source_key, so no feature has one"
                : "its " + String.join(" / ", keySources.stream().map(f -> "'" + f + "'").toList()) + " field"
                + (keySources.size() > 1 ? "s are" : " is") + " empty, and the mapping takes source_key from "
                + (keySources.size() > 1 ? "them" : "it");
        List<ImportProblem> out = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT feature_number, source_key, "
                + "count(*) OVER (PARTITION BY source_key) FROM " + name + " WHERE NOT rejected ORDER BY feature_number")) {
            while (rs.next()) {
                String key = rs.getString(2);
                if (key == null) {
                    out.add(ImportProblem.error(rs.getLong(1), "source_key", "no source key: upsert cannot match this feature ("
                            + missing + ")"));
                } else if (rs.getLong(3) > 1) {
                    out.add(ImportProblem.error(rs.getLong(1), "source_key", "source key '" + key + "' comes "
                            + rs.getLong(3) + " times: upsert needs each key once"));
                }
            }
        }
        return out;
    }

    /** The staged lines' extent in lon/lat (WGS 84), or null when none has a geometry. */
    ImportReport.Extent extentLonLat(Connection c, int storageSrid) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT ST_XMin(b), ST_YMin(b), ST_XMax(b), "
                + "ST_YMax(b) FROM (SELECT ST_Transform(ST_SetSRID(ST_Extent(geom)::geometry, " + storageSrid + "), 4326) "
                + "AS b FROM " + name + ") q WHERE b IS NOT NULL")) {
            return rs.next() ? new ImportReport.Extent(rs.getDouble(1), rs.getDouble(2), rs.getDouble(3), rs.getDouble(4)) : null;
        }
    }

    void reject(Connection c, Collection<Long> featureNumbers) throws SQLException {
        if (featureNumbers.isEmpty()) return;
        Array numbers = c.createArrayOf("bigint", featureNumbers.toArray());
        try (var st = c.prepareStatement("UPDATE " + name + " SET rejected = true WHERE feature_number = ANY (?)")) {
            st.setArray(1, numbers);
            st.executeUpdate();
        }
    }

    /** {rows, rejected rows}. */
    long[] counts(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT count(*), count(*) FILTER (WHERE rejected) FROM " + name)) {
            rs.next();
            return new long[]{rs.getLong(1), rs.getLong(2)};
        }
    }

    boolean exists(Connection c) throws SQLException {
        return exists(c, name);
    }

    private static boolean exists(Connection c, String table) throws SQLException {
        try (var st = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            st.setString(1, table);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /** Drops the staged features, and the checks' findings with them. */
    void drop(Connection c) throws SQLException {
        dropFeatures(c);
        dropFindings(c);
    }

    /** Drops the staged features only: a commit leaves the checks' findings to its follow-up. */
    void dropFeatures(Connection c) throws SQLException {
        execute(c, "DROP TABLE IF EXISTS " + name);
    }

    private static void execute(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    /** COPY text-format rows, buffered; {@link #finish()} ends the COPY, a failure cancels it. */
    static final class Copy {
        private final CopyIn in;
        private final StringBuilder buffer = new StringBuilder(FLUSH_AT + 4096);
        private final WKBWriter wkb = new WKBWriter(2, true);

        private Copy(CopyIn in) {
            this.in = in;
        }

        void row(long featureNumber, LineString line, int srid, Mapping.MappedAttributes values, boolean rejected)
                throws SQLException {
            buffer.append(featureNumber).append('\t');
            if (line == null) {
                buffer.append("\\N");
            } else {
                line.setSRID(srid);
                buffer.append(WKBWriter.toHex(wkb.write(line)));
            }
            for (TargetField f : FIELDS) {
                buffer.append('\t');
                text(values == null ? null : values.get(f));
            }
            buffer.append('\t');
            text(values == null ? null : values.sourceAttributes());
            buffer.append('\t').append(rejected ? 't' : 'f').append('\n');
            if (buffer.length() >= FLUSH_AT) flush();
        }

        private void text(String s) {
            StagingTable.text(buffer, s);
        }

        private void flush() throws SQLException {
            StagingTable.flush(in, buffer);
        }

        long finish() throws SQLException {
            flush();
            return in.endCopy();
        }

        void cancel() {
            StagingTable.cancel(in);
        }
    }

    /** COPY text-format rows of findings, buffered like {@link Copy}. */
    static final class FindingsCopy {
        private final CopyIn in;
        private final StringBuilder buffer = new StringBuilder(FLUSH_AT + 4096);
        private final WKBWriter wkb = new WKBWriter(2, true);

        private FindingsCopy(CopyIn in) {
            this.in = in;
        }

        void row(StagedFinding f) throws SQLException {
            text(buffer, f.rule());
            buffer.append('\t');
            text(buffer, f.severity());
            buffer.append('\t');
            text(buffer, f.explanation());
            buffer.append('\t');
            try {
                text(buffer, Json.mapper().writeValueAsString(f.parameters()));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
            buffer.append('\t').append(f.location() == null ? "\\N" : WKBWriter.toHex(wkb.write(f.location())));
            buffer.append("\t{").append(f.featureNumbers().stream().map(String::valueOf).collect(Collectors.joining(",")))
                    .append("}\t");
            text(buffer, f.fingerprint());
            buffer.append('\n');
            if (buffer.length() >= FLUSH_AT) flush(in, buffer);
        }

        void finish() throws SQLException {
            flush(in, buffer);
            in.endCopy();
        }

        void cancel() {
            StagingTable.cancel(in);
        }
    }

    private static final int FLUSH_AT = 1 << 20;

    private static void text(StringBuilder buffer, String s) {
        if (s == null) {
            buffer.append("\\N");
            return;
        }
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '\\' -> buffer.append("\\\\");
                case '\t' -> buffer.append("\\t");
                case '\n' -> buffer.append("\\n");
                case '\r' -> buffer.append("\\r");
                default -> buffer.append(ch);
            }
        }
    }

    private static void flush(CopyIn in, StringBuilder buffer) throws SQLException {
        byte[] bytes = buffer.toString().getBytes(StandardCharsets.UTF_8);
        in.writeToCopy(bytes, 0, bytes.length);
        buffer.setLength(0);
    }

    private static void cancel(CopyIn in) {
        try {
            if (in.isActive()) in.cancelCopy();
        } catch (SQLException ignored) {
            // the connection is being given up anyway; the staging table is dropped by the caller
        }
    }
}
