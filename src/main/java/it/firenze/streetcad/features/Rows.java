package it.firenze.streetcad.features;

import it.firenze.streetcad.cql2.Sql;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;

/**
 * Which rows of the cadastre a query reads, by what it names {@code {road_element}}, {@code {junction}},
 * {@code {road}} and {@code {element_event}} (see {@link FeatureType}):
 * <ul>
 *   <li>{@link #LIVE}: the rows live now, through the {@code live_*} views (V7__temporal.sql holds the one
 *       definition of "live");</li>
 *   <li>{@link #RECORDED}: every row as the cadastre holds it now, live or not, for valid-time queries
 *       ({@code datetime}) and for an item by id;</li>
 *   <li>{@link #asOf}: the rows as the cadastre recorded them at an instant of the past, from history
 *       ({@code as-of}).</li>
 * </ul>
 */
record Rows(String prefix, OffsetDateTime asOf) {

    static final Rows LIVE = new Rows("live_", null);
    static final Rows RECORDED = new Rows("", null);

    private static final List<String> TABLES = List.of("road_element", "junction", "road", "element_event");

    static Rows asOf(OffsetDateTime instant) {
        return new Rows("", instant);
    }

    /** The relation that stands for {@code table}. An instant is written as a literal: it is a parsed date-time. */
    String relation(String table) {
        if (asOf == null) return prefix + table;
        return table + "_as_of('" + asOf.withOffsetSameInstant(ZoneOffset.UTC) + "'::timestamptz)";
    }

    Sql resolve(Sql sql) {
        return sql.rewritten(this::resolveText);
    }

    /**
     * Each {@code {table}} of {@link #TABLES} replaced by its relation: what {@code \{(road_element|junction|road|
     * element_event)}} replaced, found with indexOf instead of a regular expression (a page's statement is 1–2 KB
     * and the regex's find and appendReplacement were 2 % of the JVM's samples on a bbox page).
     */
    private String resolveText(String text) {
        StringBuilder out = new StringBuilder(text.length() + 64);
        int from = 0;
        int copied = 0;
        for (int i; (i = text.indexOf('{', from)) >= 0; ) {
            String table = tableAt(text, i + 1);
            if (table == null) {
                from = i + 1;
                continue;
            }
            out.append(text, copied, i).append(relation(table));
            copied = from = i + table.length() + 2;
        }
        return out.append(text, copied, text.length()).toString();
    }

    /** The table named at {@code at} and closed by '}', in the order the regular expression tried them. */
    private static String tableAt(String text, int at) {
        for (String table : TABLES) {
            if (text.startsWith(table, at) && text.startsWith("}", at + table.length())) return table;
        }
        return null;
    }

    String resolve(String trustedSql) {
        return resolve(new Sql().append(trustedSql)).text();
    }
}
