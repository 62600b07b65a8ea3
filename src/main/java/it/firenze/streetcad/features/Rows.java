package it.firenze.streetcad.features;

import it.firenze.streetcad.cql2.Sql;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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

    private static final Pattern TABLE = Pattern.compile("\\{(road_element|junction|road|element_event)}");

    static Rows asOf(OffsetDateTime instant) {
        return new Rows("", instant);
    }

    /** The relation that stands for {@code table}. An instant is written as a literal: it is a parsed date-time. */
    String relation(String table) {
        if (asOf == null) return prefix + table;
        return table + "_as_of('" + asOf.withOffsetSameInstant(ZoneOffset.UTC) + "'::timestamptz)";
    }

    Sql resolve(Sql sql) {
        return sql.rewritten(text -> {
            Matcher m = TABLE.matcher(text);
            StringBuilder out = new StringBuilder();
            while (m.find()) m.appendReplacement(out, Matcher.quoteReplacement(relation(m.group(1))));
            return m.appendTail(out).toString();
        });
    }

    String resolve(String trustedSql) {
        return resolve(new Sql().append(trustedSql)).text();
    }
}
