package it.firenze.streetcad.api;

import com.fasterxml.jackson.core.JsonProcessingException;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/**
 * A map's JSON text, written exactly as {@link Json#mapper()} writes it, for the few value types an import writes on
 * every row (a staged feature's unmapped attributes, a finding's figures). Jackson's serializers, entered once a row,
 * were the largest methods the JIT compiled on a warm server's first imports: the mapping's loop alone, with
 * Jackson's writing inlined into it, took seconds of the compiler's time. A value of another type is written by
 * Jackson, so the text is always the mapper's.
 */
public final class JsonText {
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private JsonText() {
    }

    /** The map as a JSON object, its entries in the map's order. */
    public static String object(Map<String, ?> entries) {
        StringBuilder out = new StringBuilder(16 * entries.size() + 2);
        return writeObject(out, entries) ? out.toString() : byJackson(entries);
    }

    private static String byJackson(Object value) {
        try {
            return Json.mapper().writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** False, with {@code out} half written, when a value is of a type this does not write. */
    private static boolean writeObject(StringBuilder out, Map<String, ?> entries) {
        out.append('{');
        boolean first = true;
        for (Map.Entry<String, ?> e : entries.entrySet()) {
            if (!first) out.append(',');
            first = false;
            string(out, e.getKey());
            out.append(':');
            if (!value(out, e.getValue())) return false;
        }
        out.append('}');
        return true;
    }

    private static boolean value(StringBuilder out, Object value) {
        switch (value) {
            case null -> out.append("null");
            case String s -> string(out, s);
            case Integer i -> out.append(i.intValue());
            case Long l -> out.append(l.longValue());
            case Boolean b -> out.append(b.booleanValue());
            // Jackson writes a number that is not finite as a string, and every other as Double.toString does.
            case Double d when Double.isFinite(d) -> out.append(Double.toString(d));
            case BigDecimal d -> out.append(d.toString());
            case List<?> list -> {
                out.append('[');
                for (int i = 0; i < list.size(); i++) {
                    if (i > 0) out.append(',');
                    if (!value(out, list.get(i))) return false;
                }
                out.append(']');
            }
            default -> {
                return false;
            }
        }
        return true;
    }

    /** A JSON string escaped as Jackson escapes it: quote, backslash and control characters, nothing else. */
    private static void string(StringBuilder out, String s) {
        out.append('"');
        int plain = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c != '"' && c != '\\') continue;
            out.append(s, plain, i);
            plain = i + 1;
            out.append('\\');
            switch (c) {
                case '"', '\\' -> out.append(c);
                case '\b' -> out.append('b');
                case '\t' -> out.append('t');
                case '\n' -> out.append('n');
                case '\f' -> out.append('f');
                case '\r' -> out.append('r');
                default -> out.append("u00").append(HEX[c >> 4]).append(HEX[c & 0xF]);
            }
        }
        out.append(s, plain, s.length()).append('"');
    }
}
