package it.firenze.streetcad.importer;

import com.fasterxml.jackson.databind.JsonNode;
import it.firenze.streetcad.access.Actor;
import it.firenze.streetcad.api.Json;
import it.firenze.streetcad.cql2.Cql2Text;
import it.firenze.streetcad.cql2.Sql;
import it.firenze.streetcad.cql2.SqlTranslator;
import it.firenze.streetcad.db.Database;
import it.firenze.streetcad.features.FeatureType;
import it.firenze.streetcad.importer.report.Note;
import it.firenze.streetcad.importer.report.ReportCode;
import it.firenze.streetcad.importer.shapefile.ArchiveLimits;
import it.firenze.streetcad.importer.shapefile.ShapefileBytes;
import it.firenze.streetcad.testing.TestPostgis;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import java.util.Set;

import static it.firenze.streetcad.importer.TestLayer.street;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Nothing of the source is lost: the fields no mapping rule reads arrive per element, typed as the .dbf typed them,
 * and filters reach them; and data that lands where it cannot belong is said to.
 */
class SourceAttributesTest {

    Database db;
    ImportJobs jobs;
    Cadastre cadastre;

    @BeforeEach
    void open() {
        db = TestPostgis.newCadastre();
        jobs = new ImportJobs(db, List.of(), 1);
        cadastre = new Cadastre(db);
    }

    @AfterEach
    void close() {
        jobs.close();
        db.close();
    }

    @Test
    void unmappedDbfFieldsArriveTypedAsTheDbfTypedThemAndCql2FiltersReachThem(@TempDir Path tmp) throws Exception {
        // given a .dbf with a text, an integer, a decimal, a date and a logical field the osm mapping does not read
        Path geojson = tmp.resolve("roads.geojson");
        Files.writeString(geojson, """
                {"type":"FeatureCollection","features":[
                 {"type":"Feature","properties":{"osm_id":1,"name":"Via Sintetica","highway":"residential","bicycle":"yes",
                  "count":7,"ratio":2.25,"opened":"1961-05-02","lit":1,"code":"050"},
                  "geometry":{"type":"LineString","coordinates":[[11.2550,43.7730],[11.2560,43.7735]]}},
                 {"type":"Feature","properties":{"osm_id":2,"name":"Via Sintetica","highway":"residential","bicycle":null,
                  "count":3,"ratio":null,"opened":null,"lit":0,"code":"7"},
                  "geometry":{"type":"LineString","coordinates":[[11.2563,43.7730],[11.2573,43.7735]]}}]}""",
                StandardCharsets.UTF_8);
        Path shp = tmp.resolve("roads.shp");
        Gdal.ogr2ogr("-lco", "ENCODING=UTF-8", shp.toString(), geojson.toString());
        asLogicalField(tmp.resolve("roads.dbf"), "lit");

        // when imported
        ImportRequest request = ImportParameters.request("roads.shp", shp, null, Mapping.preset("osm"), null, null,
                "append", null, ArchiveLimits.defaults(), null);
        var job = jobs.stageNow(request, ImportPipeline.Progress.NONE);
        assertEquals("validated", job.state(), job.error());
        assertTrue(jobs.commit(job.id(), false, true, Actor.system("test")).committed());

        // then each element keeps them, typed
        assertEquals(List.of(json("{\"bicycle\": \"string\", \"code\": \"string\", \"count\": \"number\", \"lit\": \"boolean\", "
                        + "\"opened\": \"string\", \"ratio\": \"number\"}"),
                        json("{\"code\": \"string\", \"count\": \"number\", \"lit\": \"boolean\"}")),
                cadastre.rows("SELECT (SELECT jsonb_object_agg(k, jsonb_typeof(v)) FROM jsonb_each(source_attributes) AS a(k, v))::text "
                        + "FROM road_element ORDER BY source_key").stream().map(SourceAttributesTest::json).toList());
        assertEquals("yes|050|7|true|1961-05-02|2.25", cadastre.one("SELECT concat_ws('|', source_attributes->>'bicycle', "
                + "source_attributes->>'code', source_attributes->>'count', source_attributes->>'lit', "
                + "source_attributes->>'opened', (source_attributes->>'ratio')::numeric::float8) FROM road_element WHERE source_key = '1'"));
        // and CQL2 filters name them as source_attributes.<field>, typed by what they are compared with
        assertEquals(List.of("1"), matching("source_attributes.bicycle = 'yes'"));
        assertEquals(List.of("1"), matching("source_attributes.count > 5 AND source_attributes.lit = true"));
        assertEquals(List.of("1", "2"), matching("source_attributes.count BETWEEN 3 AND 7"));
        assertEquals(List.of("1"), matching("source_attributes.code LIKE '05%'"));
        assertEquals(List.of(), matching("source_attributes.code = 50"), "a text field is not a number");
        assertEquals(List.of("2"), matching("source_attributes.opened IS NULL"));
        assertEquals(List.of("2"), matching("source_attributes.ratio IS NULL AND source_attributes.count IN (3, 4)"));
    }

    @Test
    void valuesGdalReadsButThatOnceStoppedTheImportArriveAsTheSourceMeantThem(@TempDir Path tmp) throws Exception {
        // given an office's .dbf (built byte by byte) with a text cut inside its last UTF-8 character, a decimal
        // comma, NaN, no day of the calendar, an empty date written "0", a logical '1' and old bytes behind a NUL
        Path geojson = tmp.resolve("roads.geojson");
        Files.writeString(geojson, """
                {"type":"FeatureCollection","features":[
                 {"type":"Feature","properties":{},"geometry":{"type":"LineString","coordinates":[[11.2550,43.7730],[11.2560,43.7735]]}},
                 {"type":"Feature","properties":{},"geometry":{"type":"LineString","coordinates":[[11.2563,43.7730],[11.2573,43.7735]]}}]}""");
        Path shp = tmp.resolve("roads.shp");
        Gdal.ogr2ogr("-lco", "ENCODING=UTF-8", shp.toString(), geojson.toString());
        String cut = new String("Via Niccolò".getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1).substring(0, 11);
        Files.write(tmp.resolve("roads.dbf"), ShapefileBytes.dbf(
                List.of("osm_id:N:10:0", "highway:C:12", "name:C:11", "width:N:6:2", "checked:D:8", "lit:L:1", "note:C:20"),
                List.of(List.of("1", "residential", cut, "3,5", "20230230", "1", "Via Senese\0\0old text"),
                        List.of("2", "residential", "Via Roma", "nan", "       0", "?", "ok"))));

        // when imported
        ImportRequest request = ImportParameters.request("roads.shp", shp, null, Mapping.preset("osm"), null, null,
                "append", null, ArchiveLimits.defaults(), null);
        var job = jobs.stageNow(request, ImportPipeline.Progress.NONE);
        assertEquals("validated", job.state(), job.error());
        // and the report names each value that is not of its field's type, as it names a number field's "x2"
        assertEquals(List.of(new ImportProblem(1, "checked", ImportProblem.Severity.WARNING, ReportCode.NOT_OF_FIELD_TYPE,
                        "'20230230' is not a YYYYMMDD date (a field of type D): kept as written in source_attributes, no "
                        + "value read"),
                new ImportProblem(1, "lit", ImportProblem.Severity.WARNING, ReportCode.NOT_OF_FIELD_TYPE, "'1' is not one "
                        + "of T, F, Y, N, ? (a field of type L): kept as written in source_attributes, no value read")),
                job.importReport().problems().stream().filter(p -> p.severity() == ImportProblem.Severity.WARNING)
                        .filter(p -> Set.of("checked", "lit").contains(p.field())).toList());
        assertTrue(jobs.commit(job.id(), false, true, Actor.system("test")).committed());

        // then it is committed with each value as the source meant it
        assertEquals(List.of(json("{\"width\": 3.5, \"checked\": \"20230230\", \"lit\": \"1\", \"note\": \"Via Senese\"}"),
                        json("{\"note\": \"ok\"}")),
                cadastre.rows("SELECT source_attributes::text FROM road_element ORDER BY source_key").stream()
                        .map(SourceAttributesTest::json).toList());
        assertEquals(List.of("Via Niccol", "Via Roma"), cadastre.rows("SELECT name FROM road ORDER BY name"));
    }

    @Test
    void anUpsertKeepsTheSourceAttributesOfTheNewDelivery() {
        TestLayer first = new TestLayer().line(street(0), "osm_id", 1L, "highway", "residential", "bicycle", "no");
        TestLayer second = new TestLayer().line(street(0), "osm_id", 1L, "highway", "residential", "bicycle", "yes");
        for (TestLayer layer : List.of(first, second)) {
            ImportPipeline pipeline = new ImportPipeline(db, List.of());
            long id = ImportPipelineTest.JOBS.incrementAndGet();
            ImportOptions options = new ImportOptions(Mapping.preset("osm"), ImportMode.UPSERT, null);
            ImportReport report = pipeline.stage(id, "t.shp", layer, options, ImportPipeline.Progress.NONE);
            pipeline.commit(id, report, ImportMode.UPSERT, null, false, Actor.system("test"), ImportPipeline.CommitOutcome.NONE);
        }
        assertEquals("{\"bicycle\": \"yes\"}", cadastre.one("SELECT source_attributes::text FROM road_element"));
    }

    @Test
    void dataThatLandsOutsideTheStorageCrsAreaOrFarFromTheCadastreIsSaidToWithItsExtentInLonLat() {
        ImportPipeline pipeline = new ImportPipeline(db, List.of());
        // Gauss-Boaga (EPSG:3003) coordinates of Florence, declared as UTM 32N: they reproject without any error
        TestLayer gaussBoagaAsUtm = new TestLayer("PolyLine", 32632)
                .line(new double[]{1_681_000, 4_848_000, 1_681_100, 4_848_050}, "osm_id", 1L, "highway", "residential");
        ImportReport wrong = pipeline.stage(ImportPipelineTest.JOBS.incrementAndGet(), "gb.shp", gaussBoagaAsUtm,
                ImportPipelineTest.osm(ImportMode.APPEND), ImportPipeline.Progress.NONE);
        assertEquals(List.of(ReportCode.OUTSIDE_AREA_OF_USE), wrong.notices().stream().map(Note::code).toList(),
                wrong.notices().toString());
        String outside = wrong.notices().getFirst().message();
        assertTrue(outside.contains("outside the area of use of the storage CRS EPSG:6707 (Italy - west of 12°E"), outside);
        assertTrue(outside.matches(".*; check that EPSG:32632 \\(.*\\) is really the CRS of the data"), outside);
        assertTrue(wrong.extent().minLon() > 15, "shown in lon/lat: " + wrong.extent());

        long florence = ImportPipelineTest.JOBS.incrementAndGet();
        ImportReport right = pipeline.stage(florence, "f.shp", ImportPipelineTest.threeStreets(),
                ImportPipelineTest.osm(ImportMode.APPEND), ImportPipeline.Progress.NONE);
        assertEquals(List.of(), right.notices());
        assertEquals(11.255, right.extent().minLon(), 1e-6);
        pipeline.commit(florence, right, ImportMode.APPEND, null, false, Actor.system("test"), ImportPipeline.CommitOutcome.NONE);

        // Milan is inside EPSG:6707's area, but 250 km from a cadastre of Florence
        TestLayer milan = new TestLayer().line(new double[]{9.19, 45.46, 9.191, 45.461}, "osm_id", 9L, "highway", "residential");
        ImportReport far = pipeline.stage(ImportPipelineTest.JOBS.incrementAndGet(), "m.shp", milan,
                ImportPipelineTest.osm(ImportMode.APPEND), ImportPipeline.Progress.NONE);
        assertEquals(List.of(ReportCode.FAR_FROM_CADASTRE), far.notices().stream().map(Note::code).toList(),
                far.notices().toString());
        assertTrue(far.notices().getFirst().message().matches("the data lands at lon 9\\.19000 to 9\\.19100, lat 45\\.46000 "
                + "to 45\\.46100, about 2\\d\\d km from the cadastre's elements .*"), far.notices().getFirst().message());
    }

    @Test
    void theHeightsAndMeasuresOfTheVerticesArriveWithEachElementAndQueriesReachThem(@TempDir Path tmp) throws Exception {
        // given a PolyLineZM layer: heights as Z, kilometre points (progressive chilometriche) as M, one of them
        // "no data", and a line of two parts that join end to end
        Path csv = tmp.resolve("roads.csv");
        Files.writeString(csv, """
                osm_id,highway,WKT
                1,residential,"LINESTRING ZM (11.2550 43.7730 41.5 0,11.2560 43.7735 42 0.105,11.2570 43.7738 42.5 -1e39)"
                2,residential,"MULTILINESTRING ZM ((11.2580 43.7730 40 1,11.2585 43.7733 40 1.05),(11.2585 43.7733 40 1.05,11.2590 43.7735 39 1.1))"
                """);
        Path shp = tmp.resolve("roads.shp");
        Gdal.ogr2ogr("-a_srs", "EPSG:4326", "-nlt", "MULTILINESTRINGZM", shp.toString(), csv.toString());

        // when imported
        var job = stage(shp);
        assertEquals("validated", job.state(), job.error());
        assertTrue(jobs.commit(job.id(), false, true, Actor.system("test")).committed());

        // then each element keeps them per part and vertex of its source feature, beside its 2D line
        assertEquals(List.of("[[41.5, 42.0, 42.5]]|[[0.0, 0.105, null]]", "[[40.0, 40.0], [40.0, 39.0]]|[[1.0, 1.05], [1.05, 1.1]]"),
                cadastre.rows("SELECT concat_ws('|', source_attributes->'vertex_z_values', source_attributes->'vertex_m_values') "
                        + "FROM road_element ORDER BY source_key"));
        assertEquals(List.of("2", "2"), cadastre.rows("SELECT ST_NDims(geom) FROM road_element"));
        // and SQL reaches them: the elements whose kilometre points start before 0.5 and end past 1
        assertEquals("1", cadastre.one("SELECT string_agg(source_key, ',') FROM road_element "
                + "WHERE (source_attributes #>> '{vertex_m_values,0,0}')::float8 < 0.5"));
        assertEquals("2", cadastre.one("SELECT string_agg(source_key, ',') FROM road_element "
                + "WHERE (source_attributes #>> '{vertex_m_values,-1,-1}')::float8 > 1"));
        assertEquals("Z values in source_attributes.vertex_z_values and M values in source_attributes.vertex_m_values, "
                + "per part and vertex of each feature: the cadastre stores 2D lines", job.importReport().zm());
    }

    @Test
    void aNumericValueThatIsNoNumberIsKeptAsWrittenAndReportedAndTheMappingsPolicyDecidesForItsTarget(@TempDir Path tmp)
            throws Exception {
        // given a .dbf whose numeric fields hold "x2": lanes, which the osm mapping maps (a value it cannot hold is a
        // warning there), and count, which it does not
        Path shp = streets(tmp, 2);
        Files.write(tmp.resolve("roads.dbf"), ShapefileBytes.dbf(
                List.of("osm_id:N:10:0", "highway:C:12", "lanes:N:5:0", "count:N:5:0"),
                List.of(List.of("1", "residential", "x2", "5"), List.of("2", "residential", "2", "x2"))));

        // when imported, the import goes on and the report names each record, field and what became of the text
        var job = stage(shp, Mapping.preset("osm"));
        assertEquals("validated", job.state(), job.error());
        assertEquals(List.of(new ImportProblem(1, "lanes", ImportProblem.Severity.WARNING, ReportCode.NOT_A_NUMBER,
                        "lanes: 'x2' is not a number, left empty"),
                new ImportProblem(2, "count", ImportProblem.Severity.WARNING, ReportCode.NOT_OF_FIELD_TYPE, "'x2' is not a "
                        + "number (a field of type N): kept as written in source_attributes, no value read")),
                job.importReport().problems());

        // then each element keeps the text as written, which no number matches, and no number is invented
        assertTrue(jobs.commit(job.id(), false, true, Actor.system("test")).committed());
        assertEquals(List.of("1|null|{\"count\": 5, \"lanes\": \"x2\"}", "2|2|{\"count\": \"x2\"}"), cadastre.rows(
                "SELECT concat_ws('|', source_key, coalesce(lanes::text, 'null'), source_attributes) FROM road_element ORDER BY source_key"));
        assertEquals(List.of("1"), matching("source_attributes.count > 1"));
        assertEquals(List.of("2"), matching("source_attributes.count = 'x2'"));

        // and a mapping that leaves the policy at its default holds the feature back, naming the value
        Mapping strict = Mapping.fromJson("strict", Json.mapper().readTree(
                "{\"fields\": {\"source_key\": \"osm_id\", \"lanes\": \"lanes\"}}"));
        var held = stage(shp, strict);
        assertEquals(new ImportProblem(1, "lanes", ImportProblem.Severity.ERROR, ReportCode.NOT_A_NUMBER,
                        "lanes: 'x2' is not a number"),
                held.importReport().problems().getFirst());
        assertEquals(1, held.importReport().counts().invalid());
    }

    @Test
    void fieldsWhoseNamesDifferOnlyByCaseAreEachKeptAndTheRuleReadsTheOneItSpells(@TempDir Path tmp) throws Exception {
        // given a .dbf with NAME, name and Name, and the osm mapping's road_name rule reading "name"
        Path shp = streets(tmp, 1);
        Files.write(tmp.resolve("roads.dbf"), ShapefileBytes.dbf(
                List.of("osm_id:N:10:0", "highway:C:12", "NAME:C:20", "name:C:20", "Name:C:20"),
                List.of(List.of("1", "residential", "VIA ROMA", "Via Roma", "Via Roma vecchia"))));

        // when imported
        var job = stage(shp);
        assertEquals("validated", job.state(), job.error());
        assertTrue(jobs.commit(job.id(), false, true, Actor.system("test")).committed());

        // then the rule reads the field spelled as it spells it, the others are kept, and the report says so
        assertEquals("Via Roma|{\"NAME\": \"VIA ROMA\", \"Name\": \"Via Roma vecchia\"}", cadastre.one(
                "SELECT concat_ws('|', r.name, e.source_attributes) FROM road_element e JOIN road r ON r.id = e.road_id"));
        assertEquals(List.of(new Note(ReportCode.FIELDS_DIFFER_BY_CASE, "the fields 'NAME', 'name', 'Name' differ only "
                + "by case: the mapping's 'name' reads 'name' (spelled as in the mapping), the others are kept in "
                + "source_attributes under their own names")), job.importReport().notices());

        // and without one spelled as the rule spells it, the rule reads the first, as GDAL would
        Path other = streets(tmp.resolve("other"), 1);
        Files.write(other.resolveSibling("roads.dbf"), ShapefileBytes.dbf(List.of("osm_id:N:10:0", "highway:C:12",
                "Name:C:20", "NAME:C:20"), List.of(List.of("2", "residential", "Via Senese", "VIA SENESE"))));
        var second = stage(other);
        assertTrue(jobs.commit(second.id(), false, true, Actor.system("test")).committed());
        assertEquals("Via Senese|{\"NAME\": \"VIA SENESE\"}", cadastre.one("SELECT concat_ws('|', r.name, "
                + "e.source_attributes) FROM road_element e JOIN road r ON r.id = e.road_id WHERE e.source_key = '2'"));
        assertTrue(second.importReport().notices().getFirst().message().contains("the mapping's 'name' reads 'Name' (the first "
                + "of them, as GDAL reads it)"), second.importReport().notices().toString());
    }

    @Test
    void shapesPastTheRecordsOfTheDbfArriveWithoutAttributesAndTheReportGivesTheCounts(@TempDir Path tmp)
            throws Exception {
        // given three lines whose .dbf has records for the first two only
        Path shp = streets(tmp, 3);
        Files.write(tmp.resolve("roads.dbf"), ShapefileBytes.dbf(List.of("osm_id:N:10:0", "highway:C:12", "bicycle:C:3"),
                List.of(List.of("1", "residential", "yes"), List.of("2", "residential", "no"))));

        // when imported
        var job = stage(shp);
        assertEquals("validated", job.state(), job.error());
        assertTrue(jobs.commit(job.id(), false, true, Actor.system("test")).committed());

        // then the third is an element without attributes, and the report says why
        assertEquals(List.of("1|{\"bicycle\": \"yes\"}", "2|{\"bicycle\": \"no\"}", ""), cadastre.rows(
                "SELECT concat_ws('|', source_key, source_attributes) FROM road_element ORDER BY id"));
        assertEquals(List.of(new Note(ReportCode.DBF_FEWER_RECORDS, tmp.resolve("roads.dbf") + " has 2 records but "
                + tmp.resolve("roads.shx") + " lists 3 shapes: shapes 3 to 3 are read without attributes (GDAL leaves them "
                + "out); check that the files belong together")), job.importReport().notices());
    }

    /** Stages roads.shp with the osm mapping, for an append. */
    private ImportJobs.Job stage(Path shp) {
        return stage(shp, Mapping.preset("osm"));
    }

    private ImportJobs.Job stage(Path shp, Mapping mapping) {
        ImportRequest request = ImportParameters.request("roads.shp", shp, null, mapping, null, null,
                "append", null, ArchiveLimits.defaults(), null);
        return jobs.stageNow(request, ImportPipeline.Progress.NONE);
    }

    /** dir/roads.shp: {@code count} short streets near the Duomo in lon/lat, whose .dbf a test replaces. */
    private static Path streets(Path dir, int count) throws Exception {
        Files.createDirectories(dir);
        StringBuilder features = new StringBuilder();
        for (int i = 0; i < count; i++) {
            double[] street = street(i);
            features.append(i == 0 ? "" : ",").append("{\"type\":\"Feature\",\"properties\":{\"osm_id\":")
                    .append(i + 1).append("},\"geometry\":{\"type\":\"LineString\",\"coordinates\":[[")
                    .append(street[0]).append(',').append(street[1]).append("],[").append(street[2]).append(',')
                    .append(street[3]).append("]]}}");
        }
        Path geojson = dir.resolve("roads.geojson");
        Files.writeString(geojson, "{\"type\":\"FeatureCollection\",\"features\":[" + features + "]}");
        Path shp = dir.resolve("roads.shp");
        Gdal.ogr2ogr(shp.toString(), geojson.toString());
        return shp;
    }

    private static JsonNode json(String text) {
        try {
            return Json.mapper().readTree(text);
        } catch (Exception e) {
            throw new AssertionError(text, e);
        }
    }

    private List<String> matching(String cql2) throws Exception {
        FeatureType type = FeatureType.byId("road-elements").orElseThrow();
        Sql where = new SqlTranslator(type.queryables(), db.storageSrid(), 4326, false).translate(Cql2Text.parse(cql2));
        try (Connection c = db.connection(); PreparedStatement st = c.prepareStatement("SELECT e.source_key FROM "
                + type.from().replace("{road_element}", "live_road_element") + " WHERE " + where.text() + " ORDER BY 1")) {
            for (int i = 0; i < where.params().size(); i++) st.setObject(i + 1, where.params().get(i));
            try (ResultSet rs = st.executeQuery()) {
                List<String> keys = new java.util.ArrayList<>();
                while (rs.next()) keys.add(rs.getString(1));
                return keys;
            }
        }
    }

    /** GDAL writes booleans as N(1); an office's .dbf may have a real logical field (L, 'T'/'F'). */
    private static void asLogicalField(Path dbf, String field) throws Exception {
        byte[] bytes = Files.readAllBytes(dbf);
        ByteBuffer little = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int records = little.getInt(4), headerLength = little.getShort(8), recordLength = little.getShort(10);
        int offset = 1;
        for (int d = 32; bytes[d] != 0x0D; d += 32) {
            String name = new String(bytes, d, 11, StandardCharsets.US_ASCII).replace("\0", "");
            int length = bytes[d + 16] & 0xFF;
            if (name.equals(field)) {
                bytes[d + 11] = 'L';
                for (int r = 0; r < records; r++) {
                    int at = headerLength + r * recordLength + offset;
                    boolean truth = new String(bytes, at, length, StandardCharsets.US_ASCII).strip().equals("1");
                    java.util.Arrays.fill(bytes, at, at + length, (byte) ' ');
                    bytes[at] = truth ? (byte) 'T' : (byte) 'F';
                }
            }
            offset += length;
        }
        Files.write(dbf, bytes);
    }
}
