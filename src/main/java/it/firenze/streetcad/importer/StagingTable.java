package it.firenze.streetcad.importer;

import it.firenze.streetcad.api.JsonText;
import it.firenze.streetcad.importer.report.ReportCode;
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
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * One import's staging table and every SQL statement run on it. The table is UNLOGGED (scratch data, twice as
 * fast to fill) and named after the job, so concurrent imports never share one. Its name is built from the job
 * id only, never from user text.
 */
final class StagingTable {

    private static final List<TargetField> FIELDS = List.of(TargetField.values());

    /** The column of the source fields no mapping rule read, as a JSON object typed as the source typed them. */
    static final String SOURCE_ATTRIBUTES = "source_attributes";

    /** Every column of the table, in the order a COPY writes them. */
    private static final List<String> COLUMNS = Stream.of(Stream.of("feature_number", "geom"),
            FIELDS.stream().map(TargetField::column), Stream.of(SOURCE_ATTRIBUTES, "rejected")).flatMap(c -> c).toList();

    private final String name;

    StagingTable(long jobId) {
        this.name = "import_staging_" + jobId;
    }

    String name() {
        return name;
    }

    /** The tables a committed import leaves for its follow-up (see {@link StagedFindings}). */
    StagedFindings findings() {
        return new StagedFindings(name + "_findings", name + "_elements", false);
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
        CopyIn in = c.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY " + name + " (" + String.join(", ", COLUMNS)
                + ") FROM STDIN");
        return new Copy(in);
    }

    /**
     * Moves every line from the source CRS to the storage CRS, in PostGIS, and pins the column type; then gathers the
     * statistics the commit's joins are planned by, from a small sample (see {@link #STATISTICS_TARGET}).
     */
    void reproject(Connection c, int storageSrid) throws SQLException {
        String sampled = COLUMNS.stream().map(column -> ", ALTER COLUMN " + column + " SET STATISTICS " + STATISTICS_TARGET)
                .collect(Collectors.joining());
        execute(c, "ALTER TABLE " + name + " ALTER COLUMN geom TYPE geometry(LineString, " + storageSrid + ") USING "
                + "ST_Transform(geom, " + storageSrid + ")" + sampled);
        execute(c, "ANALYZE " + name);
    }

    /**
     * The staging table's statistics target: ANALYZE samples 300 rows per unit, so PostgreSQL's default (100) reads
     * 30,000 rows, all of a city's lines, and its geometry histogram alone took a third of a second of Florence's
     * import (BENCHMARKS.md, "Issue 17, session 12"). The table is read once, whole, by statements whose plans turn on
     * its row count (exact from its pages whatever the sample) and on rough selectivities, which 3,000 rows give.
     */
    private static final int STATISTICS_TARGET = 10;

    /** Lines that PostGIS finds invalid once in the storage CRS (too few distinct points, non-finite coordinates). */
    List<ImportProblem> invalidGeometries(Connection c) throws SQLException {
        List<ImportProblem> out = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT feature_number, ST_IsValidReason(geom) FROM "
                + name + " WHERE geom IS NOT NULL AND NOT ST_IsValid(geom) ORDER BY feature_number")) {
            while (rs.next()) {
                out.add(ImportProblem.error(rs.getLong(1), "geometry", ReportCode.INVALID_LINE, "invalid line in the storage CRS: " + rs.getString(2)));
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
                    out.add(ImportProblem.error(rs.getLong(1), "source_key", ReportCode.SOURCE_KEY_MISSING,
                            "no source key: upsert cannot match this feature ("
                            + missing + ")"));
                } else if (rs.getLong(3) > 1) {
                    out.add(ImportProblem.error(rs.getLong(1), "source_key", ReportCode.SOURCE_KEY_REPEATED,
                            "source key '" + key + "' comes "
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

    /**
     * Whether the table still holds the {@code staged} rows its import staged: an unclean restart of the database
     * (a crash, {@code pg_ctl -m immediate}) leaves an UNLOGGED table empty.
     */
    boolean holds(Connection c, long staged) throws SQLException {
        return exists(c) && counts(c)[0] == staged;
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
        private final CopyBuffer out;
        private final WKBWriter wkb = new WKBWriter(2, true);

        private Copy(CopyIn in) {
            this.out = new CopyBuffer(in);
        }

        void row(long featureNumber, LineString line, int srid, Mapping.MappedAttributes values, boolean rejected)
                throws SQLException {
            out.number(featureNumber);
            out.tab();
            if (line == null) {
                out.text(null);
            } else {
                line.setSRID(srid);
                out.hex(wkb.write(line));
            }
            for (TargetField f : FIELDS) {
                out.tab();
                out.text(values == null ? null : values.get(f));
            }
            out.tab();
            out.text(values == null ? null : values.sourceAttributes());
            out.tab();
            out.put(rejected ? 't' : 'f');
            out.endRow();
        }

        long finish() throws SQLException {
            return out.finish();
        }

        void cancel() {
            out.cancel();
        }
    }

    /**
     * COPY text-format rows of findings, buffered like {@link Copy}, written on a thread of their own: encoding a
     * finding (its JSON, its WKB in hex) and sending it was a third of the check's own thread, which reads and
     * validates the staged lines and need not wait for it (a {@link Handoff} of a few batches between them).
     */
    static final class FindingsCopy {
        private final CopyBuffer out;
        private final WKBWriter wkb = new WKBWriter(2, true);
        private final Handoff<StagedFinding> findings = new Handoff<>(1024, 8);
        private final Thread writer;
        /** What stopped the writer (it then takes nothing more, and {@link #row} throws it). */
        private volatile Throwable failure;

        private FindingsCopy(CopyIn in) {
            this.out = new CopyBuffer(in);
            this.writer = Thread.ofPlatform().daemon().name("streetcad-findings-copy").start(this::write);
        }

        void row(StagedFinding f) throws SQLException {
            try {
                findings.put(f);
            } catch (Handoff.Abandoned e) {
                throw failed();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SQLException("interrupted while keeping the findings", e);
            }
        }

        /** Waits until every finding is written, then ends the COPY. */
        void finish() throws SQLException {
            try {
                findings.close();
                writer.join();
            } catch (Handoff.Abandoned e) {
                throw failed();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SQLException("interrupted while keeping the findings", e);
            }
            if (failure != null) throw failed();
            out.finish();
        }

        void cancel() {
            findings.fail(new SQLException("the check stopped"));
            try {
                writer.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            out.cancel();
        }

        private SQLException failed() {
            return failure instanceof SQLException e ? e : new SQLException("keeping the findings failed: " + failure, failure);
        }

        private void write() {
            try {
                for (List<StagedFinding> batch = findings.take(); batch != null; batch = findings.take()) {
                    for (StagedFinding f : batch) encode(f);
                }
            } catch (Throwable e) {
                failure = e;
                findings.abandon();
            }
        }

        private void encode(StagedFinding f) throws SQLException {
            out.text(f.rule());
            out.tab();
            out.text(f.severity());
            out.tab();
            out.text(f.explanation());
            out.tab();
            out.text(JsonText.object(f.parameters()));
            out.tab();
            if (f.location() == null) out.text(null);
            else out.hex(wkb.write(f.location()));
            out.tab();
            out.put('{');
            for (int i = 0; i < f.featureNumbers().size(); i++) {
                if (i > 0) out.put(',');
                out.number(f.featureNumbers().get(i));
            }
            out.put('}');
            out.tab();
            out.text(f.fingerprint());
            out.endRow();
        }
    }

    /**
     * COPY text format written as bytes, escaped as the format wants, and sent a megabyte at a time. Bytes, not a
     * StringBuilder: appending a million rows char by char, then encoding the whole buffer again as UTF-8, was most
     * of the Java side of staging a million lines.
     */
    private static final class CopyBuffer {
        private static final int FLUSH_AT = 1 << 20;
        private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);
        private final CopyIn in;
        private byte[] bytes = new byte[FLUSH_AT + (64 << 10)];
        private int length;

        CopyBuffer(CopyIn in) {
            this.in = in;
        }

        void put(char ascii) {
            room(1);
            bytes[length++] = (byte) ascii;
        }

        void tab() {
            put('\t');
        }

        void number(long value) {
            String digits = Long.toString(value);
            room(digits.length());
            for (int i = 0; i < digits.length(); i++) bytes[length++] = (byte) digits.charAt(i);
        }

        /** A text value, or NULL ({@code \N}) for null. */
        void text(String s) {
            if (s == null) {
                room(2);
                bytes[length++] = '\\';
                bytes[length++] = 'N';
            } else {
                utf8(s.getBytes(StandardCharsets.UTF_8));
            }
        }

        /** UTF-8 text: a backslash, tab or line end is escaped; in UTF-8 those bytes are never part of another character. */
        void utf8(byte[] text) {
            room(2 * text.length);
            for (byte b : text) {
                switch (b) {
                    case '\\' -> { bytes[length++] = '\\'; bytes[length++] = '\\'; }
                    case '\t' -> { bytes[length++] = '\\'; bytes[length++] = 't'; }
                    case '\n' -> { bytes[length++] = '\\'; bytes[length++] = 'n'; }
                    case '\r' -> { bytes[length++] = '\\'; bytes[length++] = 'r'; }
                    default -> bytes[length++] = b;
                }
            }
        }

        /** Bytes as hexadecimal text (how PostGIS reads a geometry's WKB in COPY text format). */
        void hex(byte[] value) {
            room(2 * value.length);
            for (byte b : value) {
                bytes[length++] = HEX[(b >> 4) & 0xF];
                bytes[length++] = HEX[b & 0xF];
            }
        }

        void endRow() throws SQLException {
            put('\n');
            if (length >= FLUSH_AT) flush();
        }

        private void room(int more) {
            if (length + more > bytes.length) bytes = Arrays.copyOf(bytes, Math.max(2 * bytes.length, length + more));
        }

        private void flush() throws SQLException {
            in.writeToCopy(bytes, 0, length);
            length = 0;
        }

        long finish() throws SQLException {
            flush();
            return in.endCopy();
        }

        void cancel() {
            try {
                if (in.isActive()) in.cancelCopy();
            } catch (SQLException ignored) {
                // the connection is being given up anyway; the staging table is dropped by the caller
            }
        }
    }
}
