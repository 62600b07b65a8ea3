package it.firenze.streetcad.features;

import com.fasterxml.jackson.databind.JsonNode;
import it.firenze.streetcad.testing.TestHttp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

import static it.firenze.streetcad.features.FeaturesCoreTest.ids;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * OGC API – Features Part 2 (CRS by reference), the abstract tests of its Annex A: the collections list the CRSs
 * they offer and their storage CRS, crs and bbox-crs accept every one of them in that CRS's axis order, the
 * response names its CRS in Content-Crs, and a CRS that is not offered is a 400.
 */
class FeaturesCrsTest {

    static final String EPSG = "http://www.opengis.net/def/crs/EPSG/0/";
    static SmallNetwork.Served network;
    static TestHttp http;

    @BeforeAll
    static void start() {
        network = SmallNetwork.serve(db -> List.of(new FeaturesModule(db)));
        http = network.http();
    }

    @AfterAll
    static void stop() {
        network.close();
    }

    /** The first vertex of element 101 (11.2550 E, 43.7700 N) in the CRS asked for, with its Content-Crs. */
    static double[] firstVertex(String crs) {
        HttpResponse<String> r = http.get("/collections/road-elements/items/101?crs=" + crs);
        assertEquals(200, r.statusCode(), r.body());
        String expected = crs.startsWith("http") ? crs : EPSG + crs.replaceAll("\\D", "");
        assertEquals("<" + expected + ">", r.headers().firstValue("Content-Crs").orElse(""));
        JsonNode c = TestHttp.json(r).at("/geometry/coordinates/0");
        return new double[]{c.get(0).asDouble(), c.get(1).asDouble()};
    }

    @Test
    void everyCollectionListsTheOfferedCrsAndItsStorageCrs() {
        for (String id : List.of("road-elements", "junctions", "roads")) {
            HttpResponse<String> r = http.get("/collections/" + id);
            JsonNode c = TestHttp.json(r);
            List<String> crs = new ArrayList<>();
            c.get("crs").forEach(x -> crs.add(x.asText()));
            assertEquals(List.of("http://www.opengis.net/def/crs/OGC/1.3/CRS84", EPSG + 6707, EPSG + 4326, EPSG + 3857,
                    EPSG + 3003, EPSG + 7791, EPSG + 25832, EPSG + 32632), crs);
            assertEquals(EPSG + 6707, c.get("storageCrs").asText());
        }
    }

    @Test
    void crs84IsLongitudeFirstAndEpsg4326LatitudeFirst() {
        double[] lonLat = firstVertex("http://www.opengis.net/def/crs/OGC/1.3/CRS84");
        assertEquals(11.2550, lonLat[0], 1e-7);
        assertEquals(43.7700, lonLat[1], 1e-7);
        double[] latLon = firstVertex(EPSG + 4326);
        assertEquals(43.7700, latLon[0], 1e-7);
        assertEquals(11.2550, latLon[1], 1e-7);
    }

    @Test
    void projectedCrsAnswerInTheirOwnMetresAndAxisOrder() {
        double[] mercator = firstVertex(EPSG + 3857);
        assertEquals(11.2550 * 20037508.342789244 / 180, mercator[0], 0.01);
        // EPSG:6707 is northing first; 7791, 25832, 32632 are easting first: the same UTM 32N point.
        double[] rdn = firstVertex("EPSG:6707");
        double[] utm = firstVertex(EPSG + 32632);
        assertEquals(utm[0], rdn[1], 1.0);
        assertEquals(utm[1], rdn[0], 1.0);
        assertTrue(utm[0] > 680_000 && utm[0] < 682_000, "easting " + utm[0]);
        assertTrue(utm[1] > 4_847_000 && utm[1] < 4_849_000, "northing " + utm[1]);
        assertEquals(utm[0], firstVertex(EPSG + 25832)[0], 1.0);
        assertEquals(utm[0], firstVertex(EPSG + 7791)[0], 1.0);
        double[] monteMario = firstVertex(EPSG + 3003);
        assertEquals(utm[0] + 1_000_000, monteMario[0], 200, "Gauss-Boaga West adds a false easting of 1,500 km");
    }

    @Test
    void bboxCrsIsReadInThatCrsAxisOrder() {
        String items = "/collections/road-elements/items?bbox=";
        assertEquals(List.of(104L), ids(TestHttp.json(http.get(items + "43.779,11.269,43.781,11.272&bbox-crs=" + EPSG + 4326))));
        double x0 = 11.269 * 20037508.342789244 / 180;
        double x1 = 11.272 * 20037508.342789244 / 180;
        JsonNode inMercator = TestHttp.json(http.get(items + x0 + ",5429000," + x1 + ",5431500&bbox-crs=" + EPSG + 3857));
        assertEquals(List.of(104L), ids(inMercator));
        JsonNode asStored = TestHttp.json(http.get("/collections/road-elements/items/104?crs=" + EPSG + 32632));
        double e = asStored.at("/geometry/coordinates/0/0").asDouble();
        double n = asStored.at("/geometry/coordinates/0/1").asDouble();
        String northFirst = (n - 5) + "," + (e - 5) + "," + (n + 5) + "," + (e + 5);
        assertEquals(List.of(104L), ids(TestHttp.json(http.get(items + northFirst + "&bbox-crs=" + EPSG + 6707))));
    }

    @Test
    void itemsInAnotherCrsSayItInContentCrs() {
        HttpResponse<String> r = http.get("/collections/junctions/items?crs=" + EPSG + 3003);
        assertEquals(200, r.statusCode());
        assertEquals("<" + EPSG + 3003 + ">", r.headers().firstValue("Content-Crs").orElse(""));
    }

    @Test
    void aCrsThatIsNotOfferedIsA400NamingTheParameter() {
        for (String p : List.of("crs", "bbox-crs")) {
            String path = "/collections/road-elements/items?bbox=0,0,1,1&" + p + "=" + EPSG + 4979;
            HttpResponse<String> r = http.get(path);
            assertEquals(400, r.statusCode(), path);
            assertEquals(p, TestHttp.json(r).get("parameter").asText());
        }
        assertEquals(400, http.get("/collections/road-elements/items/101?crs=EPSG:1;DROP").statusCode());
    }
}
