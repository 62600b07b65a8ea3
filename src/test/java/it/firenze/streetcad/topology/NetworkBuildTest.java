package it.firenze.streetcad.topology;

import it.firenze.streetcad.access.Actor;
import it.firenze.streetcad.db.Database;
import it.firenze.streetcad.testing.TestPostgis;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Given raw road elements in the cadastre, building the network splits, snaps and joins them with junctions. */
class NetworkBuildTest {

    Database db;
    Cadastre cadastre;

    @BeforeEach
    void open() {
        db = TestPostgis.newCadastre();
        cadastre = new Cadastre(db);
    }

    @AfterEach
    void close() {
        db.close();
    }

    /** A cross, a T, a street stopping 30 cm short and a bridge over the main street. */
    void raw() throws Exception {
        cadastre.element("main", "LINESTRING(0 0, 100 0, 200 0)");
        cadastre.element("cross", "LINESTRING(50 -50, 50 50)");
        cadastre.element("tee", "LINESTRING(150 0, 150 60)");
        cadastre.element("short", "LINESTRING(120 -0.3, 120 -40)");
        cadastre.element("bridge", "LINESTRING(80 -50, 80 50)", "bridge", 1, "both");
    }

    @Test
    void previewSaysWhatApplyDoesAndChangesNothing() throws Exception {
        raw();
        NetworkBuild build = new NetworkBuild(db);
        NetworkBuild.Summary preview = build.preview(null, NetworkBuilder.DEFAULT_TOLERANCE).summary();
        assertEquals(5, cadastre.count("SELECT count(*) FROM road_element"));
        assertEquals(0, cadastre.count("SELECT count(*) FROM junction"));
        assertEquals(5, preview.sourceElements());
        // main splits at 50 (cross), 120 (short, snapped onto it) and 150 (tee): 4 pieces; cross 2 pieces.
        assertEquals(9, preview.elements());
        assertEquals(4, preview.addedElements());
        assertEquals(2, preview.splitElements());
        assertEquals(1, preview.snappedEndpoints());
        assertEquals(Map.of("end", 8, "intersection", 3), preview.junctionsByKind());
        assertEquals(preview.junctionsByKind(), preview.newJunctionsByKind(), "no junction stood before");

        NetworkBuild.Summary applied = build.apply(null, NetworkBuilder.DEFAULT_TOLERANCE, Actor.system("test")).summary();
        assertEquals(preview, applied);
        assertEquals(9, cadastre.count("SELECT count(*) FROM road_element"));
        assertEquals(11, cadastre.count("SELECT count(*) FROM junction"));
    }

    @Test
    void everyElementRunsFromItsFromJunctionToItsToJunctionWithItsLineage() throws Exception {
        raw();
        new NetworkBuild(db).apply(null, NetworkBuilder.DEFAULT_TOLERANCE, Actor.system("test"));
        assertEquals(0, cadastre.count("SELECT count(*) FROM road_element e JOIN junction f ON f.id = e.from_junction "
                + "JOIN junction t ON t.id = e.to_junction "
                + "WHERE NOT ST_Equals(ST_StartPoint(e.geom), f.geom) OR NOT ST_Equals(ST_EndPoint(e.geom), t.geom)"));
        assertEquals(0, cadastre.count("SELECT count(*) FROM road_element WHERE from_junction IS NULL OR to_junction IS NULL"));
        assertEquals(List.of("bridge:1", "cross:2", "main:4", "short:1", "tee:1"), cadastre.strings(
                "SELECT source_key || ':' || count(*) FROM road_element "
                        + "WHERE source_attributes->>'key' = source_key GROUP BY source_key ORDER BY source_key"));
        assertEquals(List.of(4L, 3L, 3L), cadastre.longs("SELECT degree FROM junction WHERE degree > 1 ORDER BY ST_X(geom)"));
        assertEquals(0, cadastre.count("SELECT count(*) FROM junction j WHERE degree <> (SELECT count(*) FROM road_element e "
                + "WHERE e.from_junction = j.id) + (SELECT count(*) FROM road_element e WHERE e.to_junction = j.id)"));
        assertEquals(0, cadastre.count("SELECT count(*) FROM junction j, road_element b WHERE b.level = 'bridge' "
                + "AND ST_Intersects(j.geom, b.geom) AND j.degree > 1"), "the bridge crosses the street without a junction");
    }

    @Test
    void theFirstPieceOfASplitElementKeepsItsIdAndEventsFollowTheirPiece() throws Exception {
        long cross = cadastre.element("cross", "LINESTRING(50 -50, 50 50)");
        cadastre.element("main", "LINESTRING(0 0, 100 0)");
        cadastre.execute("INSERT INTO element_event (element_id, from_m, to_m, kind) VALUES (" + cross
                + ", 10, 20, 'works'), (" + cross + ", 40, 70, 'closure'), (" + cross + ", 80, 80, 'lamp')");
        new NetworkBuild(db).apply(null, NetworkBuilder.DEFAULT_TOLERANCE, Actor.system("test"));
        assertEquals(List.of("0,50"), cadastre.strings("SELECT ST_Y(ST_StartPoint(geom)) - 4849000 + 50 || ',' || length_m "
                + "FROM road_element WHERE id = " + cross));
        assertEquals(List.of("works 10-20 first", "closure 40-50 first", "closure 0-20 second", "lamp 30-30 second"),
                cadastre.strings("SELECT kind || ' ' || from_m || '-' || to_m || ' ' || CASE WHEN element_id = " + cross
                        + " THEN 'first' ELSE 'second' END FROM element_event ORDER BY element_id, from_m"));
    }

    @Test
    void buildingABuiltNetworkAgainChangesNothing() throws Exception {
        raw();
        NetworkBuild build = new NetworkBuild(db);
        build.apply(null, NetworkBuilder.DEFAULT_TOLERANCE, Actor.system("test"));
        List<String> before = cadastre.strings("SELECT id || ' ' || version || ' ' || from_junction || ' ' || to_junction "
                + "FROM road_element ORDER BY id");
        NetworkBuild.Result again = build.apply(null, NetworkBuilder.DEFAULT_TOLERANCE, Actor.system("test"));
        assertEquals(0, again.summary().changedElements() + again.summary().addedElements()
                + again.summary().snappedEndpoints());
        assertEquals(Map.of(), again.summary().newJunctionsByKind());
        assertEquals(List.of(), again.changes());
        assertTrue(again.changed().isNull(), "nothing changed, nothing to re-validate");
        assertEquals(before, cadastre.strings("SELECT id || ' ' || version || ' ' || from_junction || ' ' || to_junction "
                + "FROM road_element ORDER BY id"));
        assertEquals(0, cadastre.count("SELECT count(*) FROM junction WHERE version > 2"));
    }

    @Test
    void aBboxBuildsOnlyTheElementsItMeets() throws Exception {
        cadastre.element("west", "LINESTRING(0 0, 100 0)");
        cadastre.element("westcross", "LINESTRING(50 -50, 50 50)");
        cadastre.element("east", "LINESTRING(5000 0, 5100 0)");
        cadastre.element("eastcross", "LINESTRING(5050 -50, 5050 50)");
        double[] bbox = Bbox.parse(cadastre.bboxAround("POINT(50 0)", 10));
        NetworkBuild.Summary s = new NetworkBuild(db).apply(bbox, NetworkBuilder.DEFAULT_TOLERANCE, Actor.system("test")).summary();
        assertEquals(2, s.sourceElements());
        assertEquals(6, cadastre.count("SELECT count(*) FROM road_element"));
        assertEquals(2, cadastre.count("SELECT count(*) FROM road_element WHERE from_junction IS NULL"));

        NetworkBuild.Summary again = new NetworkBuild(db).preview(bbox, NetworkBuilder.DEFAULT_TOLERANCE).summary();
        assertEquals(Map.of("end", 4, "intersection", 1), again.junctionsByKind());
        assertEquals(Map.of(), again.newJunctionsByKind(), "the far ends' junctions, beyond the bbox, stand already");
    }
}
