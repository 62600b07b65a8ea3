package it.firenze.streetcad.importer.shapefile;

import java.nio.charset.Charset;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.StandardCharsets;
import java.nio.charset.UnsupportedCharsetException;
import java.util.Locale;
import java.util.Map;

/** Turns what shapefiles say about their encoding (.cpg labels, the .dbf language driver byte) into charsets. */
final class Encodings {
    static final Charset WINDOWS_1252 = Charset.forName("windows-1252");

    /** The language drivers (LDID) that ArcGIS and GDAL write, after the dBase and ESRI tables. */
    private static final Map<Integer, String> LANGUAGE_DRIVERS = Map.ofEntries(
            Map.entry(0x01, "IBM437"), Map.entry(0x02, "IBM850"), Map.entry(0x03, "windows-1252"),
            Map.entry(0x08, "IBM865"), Map.entry(0x09, "IBM437"), Map.entry(0x0A, "IBM850"),
            Map.entry(0x0B, "IBM437"), Map.entry(0x0D, "IBM437"), Map.entry(0x0E, "IBM850"),
            Map.entry(0x0F, "IBM437"), Map.entry(0x10, "IBM850"), Map.entry(0x11, "IBM437"),
            Map.entry(0x12, "IBM850"), Map.entry(0x13, "windows-31j"), Map.entry(0x14, "IBM850"),
            Map.entry(0x15, "IBM437"), Map.entry(0x16, "IBM850"), Map.entry(0x17, "IBM865"),
            Map.entry(0x18, "IBM437"), Map.entry(0x19, "IBM437"), Map.entry(0x1A, "IBM850"),
            Map.entry(0x1B, "IBM437"), Map.entry(0x1C, "IBM863"), Map.entry(0x1D, "IBM850"),
            Map.entry(0x1F, "IBM852"), Map.entry(0x22, "IBM852"), Map.entry(0x23, "IBM852"),
            Map.entry(0x24, "IBM860"), Map.entry(0x25, "IBM850"), Map.entry(0x26, "IBM866"),
            Map.entry(0x37, "IBM850"), Map.entry(0x40, "IBM852"), Map.entry(0x4D, "GBK"),
            Map.entry(0x4E, "x-windows-949"), Map.entry(0x4F, "x-windows-950"), Map.entry(0x50, "x-IBM874"),
            // 0x57 means "ANSI", the system code page: on the Italian Windows that wrote it, windows-1252.
            Map.entry(0x57, "windows-1252"), Map.entry(0x58, "windows-1252"), Map.entry(0x59, "windows-1252"),
            Map.entry(0x64, "IBM852"), Map.entry(0x65, "IBM866"), Map.entry(0x66, "IBM865"),
            Map.entry(0x67, "IBM861"), Map.entry(0x6A, "x-IBM737"), Map.entry(0x6B, "IBM857"),
            Map.entry(0x78, "x-windows-950"), Map.entry(0x79, "x-windows-949"), Map.entry(0x7A, "GBK"),
            Map.entry(0x7B, "windows-31j"), Map.entry(0x7C, "x-windows-874"), Map.entry(0x7D, "windows-1255"),
            Map.entry(0x7E, "windows-1256"), Map.entry(0x86, "x-IBM737"), Map.entry(0x87, "IBM852"),
            Map.entry(0x88, "IBM857"), Map.entry(0xC8, "windows-1250"), Map.entry(0xC9, "windows-1251"),
            Map.entry(0xCA, "windows-1254"), Map.entry(0xCB, "windows-1253"), Map.entry(0xCC, "windows-1257"));

    private Encodings() {
    }

    /**
     * The charset a .cpg label names, or null. ISO-8859-1 labels are read as windows-1252, which differs only in
     * 0x80–0x9F: control codes in Latin-1 that real data never holds, typographic characters (’ “ ” …) in 1252
     * that Italian data written on Windows does hold.
     */
    static Charset fromCpgLabel(String label) {
        String upper = label.strip().toUpperCase(Locale.ROOT);
        if (upper.equals("ANSI")) {
            return WINDOWS_1252; // the system code page, as for the language driver 0x57
        }
        String normalized = upper.replaceFirst("^(ANSI|CP|WINDOWS|OEM)[ _-]?", "");
        if (normalized.isEmpty()) {
            return null;
        }
        if (normalized.equals("UTF8") || normalized.equals("UTF-8") || normalized.equals("65001")) {
            return StandardCharsets.UTF_8;
        }
        String iso = normalized.replaceFirst("^(ISO[ _-]?)?8859[ _-]?", "");
        if (!iso.equals(normalized) && iso.matches("\\d{1,2}")) {
            return iso.equals("1") ? WINDOWS_1252 : charset("ISO-8859-" + iso);
        }
        if (normalized.matches("\\d{3,5}")) {
            return codePage(Integer.parseInt(normalized));
        }
        Charset named = charset(label.strip());
        return StandardCharsets.ISO_8859_1.equals(named) ? WINDOWS_1252 : named;
    }

    /** The charset of a .dbf language driver byte, or null for 0 (none declared) and unknown drivers. */
    static Charset fromLanguageDriver(int ldid) {
        String name = LANGUAGE_DRIVERS.get(ldid);
        return name == null ? null : charset(name);
    }

    private static Charset codePage(int number) {
        if (number >= 1250 && number <= 1258) {
            return charset("windows-" + number);
        }
        return switch (number) {
            case 874 -> charset("x-windows-874");
            case 932 -> charset("windows-31j");
            case 936 -> charset("GBK");
            case 949 -> charset("x-windows-949");
            case 950 -> charset("x-windows-950");
            case 20127 -> StandardCharsets.US_ASCII;
            case 28591 -> WINDOWS_1252;
            default -> number >= 28592 && number <= 28605 ? charset("ISO-8859-" + (number - 28590))
                    : charset("IBM" + number);
        };
    }

    private static Charset charset(String name) {
        try {
            return Charset.forName(name);
        } catch (IllegalCharsetNameException | UnsupportedCharsetException e) {
            return null;
        }
    }
}
