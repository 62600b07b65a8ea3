package it.firenze.streetcad.features;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.SerializedString;
import it.firenze.streetcad.api.Json;
import it.firenze.streetcad.cql2.Queryable;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.util.Arrays;
import java.util.List;

import org.postgresql.PGResultSetMetaData;

/**
 * Writes one GeoJSON feature from a row laid out as {@link FeatureStore} selects it: the id, the geometry already
 * as GeoJSON, then the chosen properties in the collection's order, each written by its queryable type. One per
 * request: it remembers the last timestamp it wrote.
 */
final class FeatureWriter {

    /** RFC 3339 as PostgreSQL's to_json writes a timestamptz: fraction only as long as needed, offset as +00:00. */
    private static final DateTimeFormatter TIMESTAMP = new DateTimeFormatterBuilder()
            .append(DateTimeFormatter.ISO_LOCAL_DATE).appendLiteral('T')
            .appendPattern("HH:mm:ss").appendFraction(ChronoField.NANO_OF_SECOND, 0, 6, true)
            .appendOffset("+HH:MM", "+00:00").toFormatter();

    private final FeatureType type;
    private final List<Queryable> properties;
    /** The property names quoted and escaped once, not on every row. */
    private final List<SerializedString> names;
    /**
     * The bytes of the last timestamp read (PostgreSQL's text or binary form) and its RFC 3339 text: rows written by
     * one transaction (an import, a build) share their valid_from, which is then formatted once, not per row.
     */
    private byte[] lastTimestamp;
    private String lastText;
    /** Which string properties arrive as text (UTF-8 in both of PostgreSQL's formats), found at the first row. */
    private boolean[] utf8;
    /**
     * Which properties arrive in PostgreSQL's text format (a statement pgjdbc has prepared on the server gets
     * numbers and timestamps in binary): their bytes are PostgreSQL's text, usable as they are.
     */
    private boolean[] textFormat;
    /** Bytes that already are JSON, written by the generator as they are (one per writer, refilled per value). */
    private final RawJson raw = new RawJson();

    /** {@code chosen} names the properties to return ({@code properties=…}); null returns all. */
    FeatureWriter(FeatureType type, List<String> chosen) {
        this.type = type;
        this.properties = type.properties().stream().filter(p -> chosen == null || chosen.contains(p.name())).toList();
        this.names = properties.stream().map(p -> new SerializedString(p.name())).toList();
    }

    FeatureType type() {
        return type;
    }

    List<Queryable> properties() {
        return properties;
    }

    /** One feature as a JSON text. */
    String feature(ResultSet row) throws SQLException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
        try (JsonGenerator json = Json.mapper().getFactory().createGenerator(out)) {
            write(row, json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);  // a ByteArrayOutputStream does not fail
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** A JSON array of features written row by row into {@code out}; closing it closes the array. */
    Array array(ByteArrayOutputStream out) {
        try {
            JsonGenerator json = Json.mapper().getFactory().createGenerator(out);
            json.writeStartArray();
            return new Array(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);  // a ByteArrayOutputStream does not fail
        }
    }

    final class Array implements AutoCloseable {
        private final JsonGenerator json;

        private Array(JsonGenerator json) {
            this.json = json;
        }

        void add(ResultSet row) throws SQLException {
            try {
                write(row, json);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void close() {
            try {
                json.writeEndArray();
                json.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private void write(ResultSet row, JsonGenerator json) throws SQLException, IOException {
        json.writeStartObject();
        json.writeStringField("type", "Feature");
        json.writeNumberField("id", row.getLong(1));
        json.writeFieldName("geometry");
        // The GeoJSON PostGIS wrote goes out as the UTF-8 bytes it arrived in, never decoded into a String.
        writeRaw(json, row.getBytes(2));
        json.writeObjectFieldStart("properties");
        if (utf8 == null) {
            utf8 = utf8Columns(row.getMetaData());
            textFormat = textFormatColumns(row.getMetaData());
        }
        for (int i = 0; i < properties.size(); i++) {
            json.writeFieldName(names.get(i));
            value(json, row, i + 3, properties.get(i).type(), utf8[i], textFormat[i]);
        }
        json.writeEndObject();
        json.writeEndObject();
    }

    private boolean[] utf8Columns(ResultSetMetaData meta) throws SQLException {
        boolean[] text = new boolean[properties.size()];
        for (int i = 0; i < text.length; i++) {
            int t = meta.getColumnType(i + 3);
            text[i] = t == Types.VARCHAR || t == Types.CHAR || t == Types.LONGVARCHAR;
        }
        return text;
    }

    private boolean[] textFormatColumns(ResultSetMetaData meta) throws SQLException {
        PGResultSetMetaData pg = meta.unwrap(PGResultSetMetaData.class);
        boolean[] text = new boolean[properties.size()];
        for (int i = 0; i < text.length; i++) text[i] = pg.getFormat(i + 3) == 0;
        return text;
    }

    /**
     * PostgreSQL's text of a value in UTF-8: the bytes it arrived in, or for a column pgjdbc reads in binary the
     * driver's text of it, which for numbers and jsonb is PostgreSQL's.
     */
    private static byte[] text(ResultSet row, int column, boolean textFormat) throws SQLException {
        if (textFormat) return row.getBytes(column);
        String v = row.getString(column);
        return v == null ? null : v.getBytes(StandardCharsets.UTF_8);
    }

    private void writeRaw(JsonGenerator json, byte[] value) throws IOException {
        if (value == null) json.writeNull();
        else json.writeRawValue(raw.of(value));
    }

    private void value(JsonGenerator json, ResultSet row, int column, Queryable.Type type, boolean utf8,
                       boolean textFormat) throws SQLException, IOException {
        switch (type) {
            case INTEGER, NUMBER -> {
                // PostgreSQL's text of a number is a JSON number, copied as it is, unless it is NaN or Infinity
                // (which do not end in a digit), and those become strings as to_json makes them.
                byte[] v = text(row, column, textFormat);
                if (v == null) json.writeNull();
                else if (Character.isDigit(v[v.length - 1])) json.writeRawValue(raw.of(v));
                else json.writeUTF8String(v, 0, v.length);
            }
            case BOOLEAN -> {
                boolean v = row.getBoolean(column);
                if (row.wasNull()) json.writeNull();
                else json.writeBoolean(v);
            }
            case TIMESTAMP -> {
                byte[] v = row.getBytes(column);
                if (v == null) {
                    json.writeNull();
                    return;
                }
                if (!Arrays.equals(v, lastTimestamp)) {
                    lastTimestamp = v;
                    lastText = TIMESTAMP.format(row.getObject(column, OffsetDateTime.class)
                            .withOffsetSameInstant(ZoneOffset.UTC));
                }
                json.writeString(lastText);
            }
            case OBJECT -> writeRaw(json, text(row, column, textFormat));  // jsonb's text is JSON
            default -> {
                if (utf8) {
                    // Text goes out from the UTF-8 bytes it arrived in, escaped by the generator, never decoded into a
                    // String (decoding was a tenth of the server's CPU per page).
                    byte[] v = row.getBytes(column);
                    if (v == null) json.writeNull();
                    else json.writeUTF8String(v, 0, v.length);
                } else {
                    json.writeString(row.getString(column));
                }
            }
        }
    }

    /**
     * Bytes that are JSON already (PostGIS's GeoJSON, PostgreSQL's text of a number or a jsonb), appended by the
     * generator to its buffer as they are: neither decoded into a String nor flushed around. Never quoted.
     */
    private static final class RawJson implements SerializableString {
        private byte[] bytes;

        RawJson of(byte[] value) {
            this.bytes = value;
            return this;
        }

        @Override
        public int appendUnquotedUTF8(byte[] buffer, int offset) {
            if (offset + bytes.length > buffer.length) return -1;
            System.arraycopy(bytes, 0, buffer, offset, bytes.length);
            return bytes.length;
        }

        @Override
        public byte[] asUnquotedUTF8() {
            return bytes;
        }

        @Override
        public int writeUnquotedUTF8(OutputStream out) throws IOException {
            out.write(bytes);
            return bytes.length;
        }

        @Override
        public int putUnquotedUTF8(ByteBuffer buffer) {
            if (bytes.length > buffer.remaining()) return -1;
            buffer.put(bytes);
            return bytes.length;
        }

        @Override
        public String getValue() {
            return new String(bytes, StandardCharsets.UTF_8);
        }

        @Override
        public int charLength() {
            return getValue().length();
        }

        @Override
        public int appendUnquoted(char[] buffer, int offset) {
            String value = getValue();
            if (offset + value.length() > buffer.length) return -1;
            value.getChars(0, value.length(), buffer, offset);
            return value.length();
        }

        @Override
        public char[] asQuotedChars() {
            throw new UnsupportedOperationException("raw JSON is never quoted");
        }

        @Override
        public byte[] asQuotedUTF8() {
            throw new UnsupportedOperationException("raw JSON is never quoted");
        }

        @Override
        public int appendQuotedUTF8(byte[] buffer, int offset) {
            throw new UnsupportedOperationException("raw JSON is never quoted");
        }

        @Override
        public int appendQuoted(char[] buffer, int offset) {
            throw new UnsupportedOperationException("raw JSON is never quoted");
        }

        @Override
        public int writeQuotedUTF8(OutputStream out) {
            throw new UnsupportedOperationException("raw JSON is never quoted");
        }

        @Override
        public int putQuotedUTF8(ByteBuffer buffer) {
            throw new UnsupportedOperationException("raw JSON is never quoted");
        }
    }
}
