package it.firenze.streetcad.features;

import org.junit.jupiter.api.Test;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A statement's {table} names are replaced exactly as the regular expression they replaced did. */
class RowsTest {

    private static final Pattern TABLE = Pattern.compile("\\{(road_element|junction|road|element_event)}");

    private static String byRegex(Rows rows, String text) {
        Matcher m = TABLE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) m.appendReplacement(out, Matcher.quoteReplacement(rows.relation(m.group(1))));
        return m.appendTail(out).toString();
    }

    @Test
    void everyTableNameIsReplacedAndNothingElse() {
        List<String> texts = List.of("", "SELECT 1", "{road}", "{road_element}", "{junction}", "{element_event}",
                "SELECT e.id FROM {road_element} e JOIN {road} r ON r.id = e.road_id WHERE e.id = ?",
                "{roads} {road {road_element {junction}} {{road}} {} { road} {ROAD} {road}{junction}x{element_event}",
                "'{road}' -- {road_element}", "{", "}", "{road_", "{road_element}}", "{{", "a{b}c{road}");
        for (Rows rows : List.of(Rows.LIVE, Rows.RECORDED, Rows.asOf(OffsetDateTime.parse("2026-01-02T03:04:05+01:00")))) {
            for (String text : texts) {
                assertEquals(byRegex(rows, text), rows.resolve(text), rows + ": " + text);
            }
        }
    }
}
