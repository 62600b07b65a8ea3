package it.firenze.streetcad.importer.shapefile;

import it.firenze.streetcad.importer.report.Note;
import it.firenze.streetcad.importer.report.ReportCode;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** A dBase III/IV table as shapefiles use it, read one record at a time. */
final class DbfTable implements Closeable {
    private static final int DESCRIPTOR_LENGTH = 32;
    private static final byte HEADER_END = 0x0D;
    private static final byte DELETED = '*';
    private static final ByteBuffer NO_BYTES = ByteBuffer.allocate(0);
    /** What GDAL writes for NaN and infinities, and values with no digit at all. */
    private static final Pattern NOT_A_NUMBER = Pattern.compile("[-.]+|-?(?i:nan|inf|infinity)");

    /** The header, before the charset is known (field names are decoded with it). */
    record Header(String file, int recordCount, int headerLength, int recordLength, int languageDriver,
                  List<byte[]> rawNames, List<DbfField> rawFields, Note countNotice) {

        List<DbfField> fields(Charset charset) {
            CharsetDecoder decoder = strictDecoder(charset);
            List<DbfField> fields = new ArrayList<>(rawFields.size());
            List<String> names = new ArrayList<>(rawFields.size());
            for (int i = 0; i < rawFields.size(); i++) {
                try {
                    names.add(decoder.reset().decode(ByteBuffer.wrap(rawNames.get(i))).toString().strip());
                } catch (CharacterCodingException e) {
                    throw new ShapefileException(file + ": the name of field " + (i + 1) + " is not valid "
                            + charset.name());
                }
            }
            // attributes are keyed by name: a repeated one would hide a column, so it is renamed to one no field has
            Set<String> taken = new HashSet<>(names);
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < rawFields.size(); i++) {
                DbfField field = rawFields.get(i);
                String unique = names.get(i);
                if (!seen.add(unique)) {
                    int copy = 2;
                    while (taken.contains(names.get(i) + "_" + copy)) {
                        copy++;
                    }
                    unique = names.get(i) + "_" + copy;
                    taken.add(unique);
                }
                fields.add(new DbfField(unique, field.type(), field.length(), field.decimals()));
            }
            return List.copyOf(fields);
        }
    }

    private final Header header;
    private final List<DbfField> fields;
    private final Charset charset;
    private final String charsetSource;
    private final InputStream in;
    private final CharsetDecoder decoder;
    private final CharBuffer chars;
    private final byte[] record;
    private int recordNumber;

    DbfTable(InputStream raw, Header header, Charset charset, String charsetSource) throws IOException {
        this.header = header;
        this.fields = header.fields(charset);
        this.charset = charset;
        this.charsetSource = charsetSource;
        this.in = new BufferedInputStream(raw, 256 * 1024);
        this.decoder = strictDecoder(charset);
        this.chars = charsFor(header, decoder);
        this.record = new byte[header.recordLength()];
        in.readNBytes(header.headerLength());
    }

    /**
     * Reads and checks the header; {@code shapes} is how many records the .shx lists. A header whose record count
     * disagrees with them, in a file that holds exactly that many records, is stale (writers that fill it in last,
     * or never): the records are read, as GDAL reads them, and {@link Header#countNotice()} says so. So are the
     * whole records of a file cut short of the count its header announces.
     */
    static Header readHeader(InputStream in, String file, long size, int shapes) throws IOException {
        byte[] start = MainFileHeader.headerBytes(in, DESCRIPTOR_LENGTH, file, "dBase");
        ByteBuffer little = ByteBuffer.wrap(start).order(ByteOrder.LITTLE_ENDIAN);
        long recordCount = Integer.toUnsignedLong(little.getInt(4));
        int headerLength = Short.toUnsignedInt(little.getShort(8));
        int recordLength = Short.toUnsignedInt(little.getShort(10));
        int languageDriver = Byte.toUnsignedInt(start[29]);
        if (headerLength < DESCRIPTOR_LENGTH + 1 || recordLength < 1 || recordCount > Integer.MAX_VALUE) {
            throw new ShapefileException(file + " is not a dBase table: header length " + headerLength
                    + ", record length " + recordLength + ", record count " + recordCount);
        }
        List<byte[]> names = new ArrayList<>();
        List<DbfField> fields = new ArrayList<>();
        int read = DESCRIPTOR_LENGTH;
        int width = 1;
        while (read + DESCRIPTOR_LENGTH <= headerLength) {
            byte[] descriptor = in.readNBytes(1);
            read++;
            if (descriptor.length == 0) {
                throw new ShapefileException(file + " is truncated inside its field descriptors");
            }
            if (descriptor[0] == HEADER_END) {
                break;
            }
            byte[] rest = in.readNBytes(DESCRIPTOR_LENGTH - 1);
            read += rest.length;
            if (rest.length < DESCRIPTOR_LENGTH - 1) {
                throw new ShapefileException(file + " is truncated inside its field descriptors");
            }
            byte[] whole = new byte[DESCRIPTOR_LENGTH];
            whole[0] = descriptor[0];
            System.arraycopy(rest, 0, whole, 1, rest.length);
            int nameLength = 0;
            while (nameLength < 11 && whole[nameLength] != 0) {
                nameLength++;
            }
            byte[] name = new byte[nameLength];
            System.arraycopy(whole, 0, name, 0, nameLength);
            int length = Byte.toUnsignedInt(whole[16]);
            int decimals = Byte.toUnsignedInt(whole[17]);
            names.add(name);
            fields.add(new DbfField("", (char) whole[11], length, decimals));
            width += length;
        }
        if (width > recordLength) {
            throw new ShapefileException(file + " is damaged: its fields need " + width
                    + " bytes per record but the header says records have " + recordLength);
        }
        long room = Math.max(0, (size - headerLength) / recordLength);
        Note countNotice = null;
        if (recordCount != shapes && room == shapes) {
            countNotice = new Note(ReportCode.DBF_RECORD_COUNT_STALE, file + "'s header announces " + recordCount
                    + " records, but the file holds the " + shapes + " the .shx lists: they are read");
            recordCount = shapes;
        }
        long needed = (long) headerLength + recordCount * recordLength;
        if (size < needed) {
            // as GDAL reads it: the whole records there are; the layer keeps the shapes past them without attributes
            countNotice = new Note(ReportCode.DBF_TRUNCATED, file + " is truncated: its header announces " + recordCount
                    + " records (" + needed + " bytes) but the file has " + size + " bytes, room for " + room
                    + " records: they are read");
            recordCount = room;
        }
        return new Header(file, (int) recordCount, headerLength, recordLength, languageDriver, names, fields,
                countNotice);
    }

    Header header() {
        return header;
    }

    List<DbfField> fields() {
        return fields;
    }

    Charset charset() {
        return charset;
    }

    /** The attributes of the next record, or null when it is deleted. Call once per record of the header. */
    Map<String, Object> next() throws IOException {
        recordNumber++;
        int n = in.readNBytes(record, 0, record.length);
        if (n < record.length) {
            throw new ShapefileException(header.file() + " is truncated inside record " + recordNumber);
        }
        if (record[0] == DELETED) {
            return null;
        }
        Map<String, Object> attributes = new LinkedHashMap<>();
        int offset = 1;
        for (DbfField field : fields) {
            attributes.put(field.name(), value(field, offset));
            offset += field.length();
        }
        return Collections.unmodifiableMap(attributes);
    }

    private Object value(DbfField field, int offset) {
        int start = offset;
        int end = valueEnd(record, offset, field.length());
        if (field.type() != 'C' && field.type() != 'M') {
            while (start < end && record[start] == ' ') {
                start++;
            }
        }
        if (start == end) {
            return null;
        }
        return switch (field.type()) {
            case 'N', 'F' -> number(ascii(start, end), field);
            case 'D' -> date(ascii(start, end));
            case 'L' -> logical(record[start]);
            default -> text(field, start, end, end == offset + field.length());
        };
    }

    /**
     * An N or F value: Long or BigDecimal for N, Double for F (BigDecimal past its range). Null where GDAL reads none
     * (the asterisks dBase writes when a value overflows its width) or no JSON number could hold it (NaN and
     * infinities, as GDAL writes them; a lone sign or point, which GDAL turns into an invented 0). A decimal comma,
     * as Italian spreadsheets write it, is read as the decimal point GDAL would cut the value at. Any other text is
     * {@link NotOfItsType}: kept as written (GDAL reads "x2" as 0 and "12abc" as 12, with a warning), rather than
     * refusing the whole file for one value.
     */
    private static Object number(String text, DbfField field) {
        if (text.charAt(0) == '*') {
            return null;
        }
        String plain = text.charAt(0) == '+' ? text.substring(1) : text;
        if (plain.indexOf(',') >= 0 && plain.indexOf('.') < 0) {
            plain = plain.replace(',', '.');
        }
        if (!Character.isDigit(plain.charAt(plain.length() - 1)) && NOT_A_NUMBER.matcher(plain).matches()) {
            return null;
        }
        try {
            // BigDecimal reads the decimal syntax dBase writes and nothing else; Double.valueOf alone would also take
            // Java's own "3f", "2.5d" and hexadecimal floats as numbers.
            BigDecimal value = new BigDecimal(plain);
            if (field.type() == 'F') {
                Double d = Double.valueOf(plain);
                // Past a double's range (1e400) the exact value, as an N field's, rather than an infinity no JSON
                // number can hold.
                return d.isInfinite() ? value : d;
            }
            if (field.decimals() == 0 && value.scale() <= 0 && value.precision() - value.scale() <= 18) {
                return value.longValueExact();
            }
            return value;
        } catch (NumberFormatException e) {
            return new NotOfItsType(text, field.type());
        }
    }

    /**
     * A date, or null for GDAL's empty dates ("00000000", and "0" as some writers put it). Anything else that is no
     * YYYYMMDD date of the calendar (20230230, or 02/05/1961, which GDAL reads as February and an Italian office
     * means as May) is kept as the text it is ({@link NotOfItsType}), rather than refusing the file or guessing a
     * day.
     */
    private static Object date(String text) {
        if (text.equals("00000000") || text.equals("0")) {
            return null;
        }
        if (text.length() == 8 && text.chars().allMatch(Character::isDigit)) {
            try {
                return LocalDate.of(Integer.parseInt(text.substring(0, 4)), Integer.parseInt(text.substring(4, 6)),
                        Integer.parseInt(text.substring(6, 8)));
            } catch (DateTimeException e) {
                // not a day of the calendar: kept as text below
            }
        }
        return new NotOfItsType(text, 'D');
    }

    /** T/Y true, F/N false, '?' (dBase's unknown) null; any other letter is kept as written ({@link NotOfItsType}). */
    private static Object logical(byte value) {
        return switch (value) {
            case 'Y', 'y', 'T', 't' -> Boolean.TRUE;
            case 'N', 'n', 'F', 'f' -> Boolean.FALSE;
            case '?' -> null;
            default -> new NotOfItsType(String.valueOf((char) (value & 0xFF)), 'L');
        };
    }

    private String text(DbfField field, int start, int end, boolean fillsItsWidth) {
        String text = decode(decoder, record, start, end, fillsItsWidth, chars);
        if (text == null) {
            throw new ShapefileException(header.file() + " record " + recordNumber + ", field " + field.name()
                    + ": bytes not valid in " + charset.name() + " (" + charsetSource
                    + "); give the right encoding explicitly");
        }
        return text;
    }

    /**
     * Where the value of the field at {@code offset} ends: at its first NUL, as GDAL reads a value as a C string
     * (writers pad with NULs and may leave old bytes behind them, and PostgreSQL refuses a NUL in text), without the
     * spaces that pad it.
     */
    private static int valueEnd(byte[] record, int offset, int length) {
        int end = offset + length;
        while (end > offset && (record[end - 1] == ' ' || record[end - 1] == 0)) {
            end--; // the padding first, so that only what it leaves is searched for a NUL
        }
        for (int i = offset; i < end; i++) {
            if (record[i] == 0) {
                end = i;
                while (end > offset && record[end - 1] == ' ') {
                    end--;
                }
                break;
            }
        }
        return end;
    }

    /**
     * The text of bytes[start, end), or null when they are not valid in the decoder's charset. When the value fills
     * its field, a multi-byte character cut short at its end is dropped: writers that cut text to the width by bytes,
     * not characters, leave the first half of the last one (GDAL passes those bytes on as they are).
     */
    private static String decode(CharsetDecoder decoder, byte[] bytes, int start, int end, boolean fillsItsWidth,
                                 CharBuffer out) {
        ByteBuffer in = ByteBuffer.wrap(bytes, start, end - start);
        out.clear();
        CoderResult result = decoder.reset().decode(in, out, false);
        if (result.isError() || (in.hasRemaining() && !fillsItsWidth)) {
            return null;
        }
        decoder.decode(NO_BYTES, out, true);
        decoder.flush(out);
        return out.flip().toString();
    }

    /** Room for the text of any field of a record. */
    private static CharBuffer charsFor(Header header, CharsetDecoder decoder) {
        return CharBuffer.allocate((int) Math.ceil(header.recordLength() * (double) decoder.maxCharsPerByte()) + 1);
    }

    /**
     * Whether the text fields of these whole records are valid in the charset, each read as {@link #next()} reads
     * it, and one at least holds a character beyond ASCII (not merely the half of one a cut left): how a .dbf that
     * declares no code page is told to be UTF-8.
     */
    static boolean textDecodesBeyondAscii(Header header, byte[] records, Charset charset) {
        CharsetDecoder decoder = strictDecoder(charset);
        CharBuffer chars = charsFor(header, decoder);
        boolean beyondAscii = false;
        for (int record = 0; record + header.recordLength() <= records.length; record += header.recordLength()) {
            int offset = record + 1;
            for (DbfField field : header.rawFields()) {
                int end = valueEnd(records, offset, field.length());
                if (field.type() == 'C' || field.type() == 'M') {
                    String text = decode(decoder, records, offset, end, end == offset + field.length(), chars);
                    if (text == null) {
                        return false;
                    }
                    beyondAscii |= text.chars().anyMatch(c -> c > 0x7F);
                }
                offset += field.length();
            }
        }
        return beyondAscii;
    }

    private String ascii(int start, int end) {
        return new String(record, start, end - start, StandardCharsets.ISO_8859_1);
    }

    static CharsetDecoder strictDecoder(Charset charset) {
        return charset.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
