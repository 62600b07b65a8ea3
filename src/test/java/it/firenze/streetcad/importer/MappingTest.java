package it.firenze.streetcad.importer;

import com.fasterxml.jackson.databind.JsonNode;
import it.firenze.streetcad.api.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Given a source feature's attributes, a mapping gives cadastre fields and says what it could not map. */
class MappingTest {

    static Map<String, Object> attributes(Object... keyValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) m.put((String) keyValues[i], keyValues[i + 1]);
        return m;
    }

    @Test
    void theOsmPresetMapsAOneWayPrimaryBridge() {
        var m = Mapping.preset("osm").apply(7, attributes("osm_id", 12345L, "name", "Ponte alle Grazie", "highway", "primary",
                "oneway", "yes", "bridge", "yes", "tunnel", null, "maxspeed", "50", "surface", "asphalt", "lanes", "2",
                "layer", "1", "bicycle", "yes"), null);
        assertEquals("C", m.get(TargetField.FUNCTIONAL_CLASS));
        assertEquals("carriageway", m.get(TargetField.ELEMENT_TYPE));
        assertEquals("forward", m.get(TargetField.DIRECTION));
        assertEquals("bridge", m.get(TargetField.LEVEL));
        assertEquals("1", m.get(TargetField.LAYER));
        assertEquals("50", m.get(TargetField.SPEED_LIMIT));
        assertEquals("asphalt", m.get(TargetField.SURFACE));
        assertEquals("2", m.get(TargetField.LANES));
        assertEquals("Ponte alle Grazie", m.get(TargetField.ROAD_NAME));
        assertEquals("12345", m.get(TargetField.SOURCE_KEY));
        assertEquals("in_use", m.get(TargetField.STATUS));
        assertEquals("{\"bicycle\":\"yes\"}", m.sourceAttributes());
        assertTrue(m.problems().isEmpty(), m.problems().toString());
    }

    @Test
    void theUnmappedAttributesOfEveryTypeTheDbfGivesAreTheTextAJacksonObjectNodeOfThemWrites() {
        // given a record with every value type the .dbf reader gives, none read by the preset, and Z and M per vertex
        Map<String, Object> record = attributes("highway", "residential", "text", "via \"Larga\"\t\\ n° 1\u0001",
                "count", 12L, "decimal", new BigDecimal("12.500"), "zero", new BigDecimal("0.000"),
                "thousand", new BigDecimal("1000"), "small", new BigDecimal("-0.0050"), "float", 0.1 + 0.2,
                "logical", true, "date", java.time.LocalDate.of(1961, 2, 5),
                "not a number", new it.firenze.streetcad.importer.shapefile.NotOfItsType("12abc", 'N'), "empty", null);
        var vertices = new it.firenze.streetcad.importer.shapefile.VertexValues(
                new double[][]{{1.5, 2.0}, {-0.0}}, new double[][]{{Double.NaN, 3e-7}});

        // when mapped
        String kept = Mapping.preset("osm").apply(1, record, vertices).sourceAttributes();

        // then the text is the one the old code's object node wrote for the same values
        var node = Json.mapper().createObjectNode().put("text", "via \"Larga\"\t\\ n° 1\u0001").put("count", 12L)
                .put("decimal", new BigDecimal("12.500")).put("zero", new BigDecimal("0.000"))
                .put("thousand", new BigDecimal("1000")).put("small", new BigDecimal("-0.0050")).put("float", 0.1 + 0.2)
                .put("logical", true).put("date", "1961-02-05").put("not a number", "12abc");
        node.putArray(Mapping.VERTEX_Z_VALUES).add(Json.mapper().createArrayNode().add(1.5).add(2.0))
                .add(Json.mapper().createArrayNode().add(-0.0));
        node.putArray(Mapping.VERTEX_M_VALUES).add(Json.mapper().createArrayNode().addNull().add(3e-7));
        assertEquals(node.toString(), kept);
    }

    @Test
    void theOsmPresetReadsReverseOneWaysTunnelsLinksFootwaysAndConstruction() {
        Mapping osm = Mapping.preset("osm");
        assertEquals("backward", osm.apply(1, attributes("highway", "residential", "oneway", "-1"), null).get(TargetField.DIRECTION));
        assertEquals("both", osm.apply(1, attributes("highway", "residential", "oneway", "no"), null).get(TargetField.DIRECTION));
        var tunnel = osm.apply(1, attributes("highway", "trunk_link", "bridge", "no", "tunnel", "building_passage"), null);
        assertEquals("tunnel", tunnel.get(TargetField.LEVEL));
        assertEquals("slip_road", tunnel.get(TargetField.ELEMENT_TYPE));
        assertEquals("B", tunnel.get(TargetField.FUNCTIONAL_CLASS));
        var footway = osm.apply(1, attributes("highway", "footway"), null);
        assertEquals("F-bis", footway.get(TargetField.FUNCTIONAL_CLASS));
        assertEquals("pedestrian", footway.get(TargetField.ELEMENT_TYPE));
        var works = osm.apply(1, attributes("highway", "construction"), null);
        assertEquals("under_construction", works.get(TargetField.STATUS));
        assertNull(works.get(TargetField.FUNCTIONAL_CLASS));
        assertTrue(works.problems().isEmpty(), works.problems().toString());
        assertEquals("130", osm.apply(1, attributes("highway", "motorway", "maxspeed", "IT:motorway"), null).get(TargetField.SPEED_LIMIT));
        assertEquals("48", osm.apply(1, attributes("highway", "motorway", "maxspeed", "30 mph"), null).get(TargetField.SPEED_LIMIT));
    }

    @Test
    void anUnknownHighwayClassIsAWarningAndTheClassStaysEmpty() {
        var m = Mapping.preset("osm").apply(42, attributes("highway", "hovercraft"), null);
        assertNull(m.get(TargetField.FUNCTIONAL_CLASS));
        assertEquals(1, m.problems().size());
        var p = m.problems().getFirst();
        assertEquals(42, p.featureNumber());
        assertEquals("highway", p.field());
        assertEquals(ImportProblem.Severity.WARNING, p.severity());
        assertTrue(p.reason().contains("'hovercraft'"), p.reason());
        assertFalse(m.rejected());
    }

    @Test
    void aSpeedOutsideTheCodiceIsReportedWithItsValue() {
        var m = Mapping.preset("osm").apply(3, attributes("highway", "primary", "maxspeed", "300"), null);
        assertNull(m.get(TargetField.SPEED_LIMIT));
        assertEquals("maxspeed", m.problems().getFirst().field());
        assertTrue(m.problems().getFirst().reason().contains("300 is outside 5–150"), m.problems().toString());
    }

    @Test
    void aCustomMappingRejectsWhatItDeclaresAnError() throws Exception {
        JsonNode json = Json.mapper().readTree("""
                {"fields": {"road_name": "NOME", "speed_limit": {"source": "VEL"},
                            "functional_class": {"source": "CLASSE", "values": {"loc": "F"}, "otherValues": "error"}},
                 "defaults": {"surface": "asphalt"}}""");
        Mapping mapping = Mapping.fromJson("custom", json);
        var ok = mapping.apply(1, attributes("NOME", "Via dell’Agnolo", "VEL", new BigDecimal("30.0"), "CLASSE", "LOC"), null);
        assertEquals("Via dell’Agnolo", ok.get(TargetField.ROAD_NAME));
        assertEquals("30", ok.get(TargetField.SPEED_LIMIT));
        assertEquals("F", ok.get(TargetField.FUNCTIONAL_CLASS));
        assertEquals("asphalt", ok.get(TargetField.SURFACE));
        var bad = mapping.apply(2, attributes("NOME", "Via Roma", "VEL", "fast", "CLASSE", "Z"), null);
        assertTrue(bad.rejected());
        assertEquals(2, bad.problems().size(), bad.problems().toString());
    }

    @Test
    void aYamlMappingFileReadsLikeJson(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("survey.yaml");
        Files.writeString(file, """
                fields:
                  road_name: DENOM
                  direction:
                    source: SENSO
                    values: {"D": forward, "I": backward, "DI": both}
                """);
        var m = Mapping.presetOrFile(file.toString()).apply(1, attributes("DENOM", "Località Cercina", "SENSO", "I"), null);
        assertEquals("Località Cercina", m.get(TargetField.ROAD_NAME));
        assertEquals("backward", m.get(TargetField.DIRECTION));
    }

    @Test
    void theRtGrafoPresetReadsTheRegionalCodes() {
        var m = Mapping.preset("rt-grafo").apply(1, attributes("COD_ELE", "RT048017000123ES", "TIP_ELE", "05",
                "SED", "02", "STA_ELE", "01", "SNS_PER", "02", "TIP_PAV", "0100", "TOPONIMO", "Viale Europa",
                "NOD_INI", "RT1", "NOD_FIN", "RT2"), null);
        assertEquals("roundabout", m.get(TargetField.ELEMENT_TYPE));
        assertEquals("bridge", m.get(TargetField.LEVEL));
        assertEquals("forward", m.get(TargetField.DIRECTION));
        assertEquals("paved", m.get(TargetField.SURFACE));
        assertEquals("RT048017000123ES", m.get(TargetField.SOURCE_KEY));
        assertEquals("{\"NOD_INI\":\"RT1\",\"NOD_FIN\":\"RT2\"}", m.sourceAttributes());
    }

    @Test
    void aMappingThatNamesAnUnknownTargetOrValueIsRefusedWithTheReason() throws Exception {
        var e = assertThrows(Mapping.MappingException.class, () -> Mapping.fromJson("x",
                Json.mapper().readTree("{\"fields\": {\"colour\": \"COL\"}}")));
        assertTrue(e.getMessage().contains("\"colour\""), e.getMessage());
        var e2 = assertThrows(Mapping.MappingException.class, () -> Mapping.fromJson("x",
                Json.mapper().readTree("{\"fields\": {\"functional_class\": {\"source\": \"C\", \"values\": {\"x\": \"G\"}}}}")));
        assertTrue(e2.getMessage().contains("'G'"), e2.getMessage());
        assertThrows(Mapping.MappingException.class, () -> Mapping.presetOrFile("no-such-preset"));
    }
}
