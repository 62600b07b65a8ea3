package it.firenze.streetcad.api;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Given a map of the values an import writes on every row, its JSON text is the one the mapper writes, byte for byte. */
class JsonTextTest {

    private static String byJackson(Map<String, ?> map) throws Exception {
        return Json.mapper().writeValueAsString(map);
    }

    private static void assertAsJackson(Map<String, ?> map) throws Exception {
        assertEquals(byJackson(map), JsonText.object(map), map.toString());
    }

    @Test
    void everyTypeWrittenOnARowIsWrittenAsTheMapperWritesIt() throws Exception {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("text", "Ponte alle Grazie");
        m.put("int", -7);
        m.put("long", Long.MIN_VALUE);
        m.put("double", 0.1 + 0.2);
        m.put("whole double", 2.0);
        m.put("decimal", new BigDecimal("12.500"));
        m.put("decimal with exponent", new BigDecimal("1E+3"));
        m.put("true", true);
        m.put("false", false);
        m.put("null", null);
        m.put("per part", List.of(List.of(1.5, -0.0), Arrays.asList(null, 1e-7, 1e21, Double.MIN_VALUE, Double.MAX_VALUE)));
        m.put("empty list", List.of());
        assertAsJackson(m);
        assertAsJackson(Map.of());
    }

    @Test
    void stringsAreEscapedAsTheMapperEscapesThemEveryCharacterOfTheFirst128AndBeyond() throws Exception {
        StringBuilder all = new StringBuilder();
        for (char c = 0; c < 256; c++) all.append(c);
        all.append("è à ò ° € \u2028 \u2029 \uD83D\uDE97 \"quoted\" back\\slash /slash");
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(all.toString(), all.toString());
        for (char c = 0; c < 128; c++) m.put("k" + c, "a" + c + "b");
        assertAsJackson(m);
    }

    @Test
    void doublesAreWrittenAsTheMapperWritesThemOverTheirWholeRange() throws Exception {
        Random random = new Random(17);
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < 20_000; i++) {
            double d = Double.longBitsToDouble(random.nextLong());
            if (Double.isFinite(d)) m.put("bits " + i, d);
            m.put("metres " + i, random.nextDouble() * Math.pow(10, random.nextInt(12) - 4));
        }
        assertAsJackson(m);
    }

    @Test
    void valuesOfOtherTypesAreLeftToTheMapper() throws Exception {
        for (Object other : List.of(Double.NaN, Double.POSITIVE_INFINITY, 1.5f, LocalDate.of(1961, 2, 5),
                Map.of("nested", 1), new ArrayList<>(List.of(1, LocalDate.of(2020, 1, 1))))) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("before", "x");
            m.put("other", other);
            m.put("after", 2);
            assertAsJackson(m);
        }
    }
}
