package it.firenze.streetcad.importer;

import it.firenze.streetcad.access.Actor;
import it.firenze.streetcad.db.Database;
import it.firenze.streetcad.importer.report.ReportCode;
import it.firenze.streetcad.testing.TestPostgis;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Envelope;


import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

import static it.firenze.streetcad.importer.TestLayer.street;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Given a cadastre in a real PostGIS, an import stages, validates and commits all or nothing. */
class ImportPipelineTest {

    static final AtomicLong JOBS = new AtomicLong(1000);

    Database db;
    Cadastre cadastre;
    ImportPipeline pipeline;

    @BeforeEach
    void open() {
        db = TestPostgis.newCadastre();
        cadastre = new Cadastre(db);
        pipeline = new ImportPipeline(db, List.of());
    }

    @AfterEach
    void close() {
        db.close();
    }

    static ImportOptions osm(ImportMode mode) {
        return new ImportOptions(Mapping.preset("osm"), mode, null);
    }

    static TestLayer threeStreets() {
        return new TestLayer()
                .line(street(0), "osm_id", 1L, "name", "Via dei Calzaiuoli", "highway", "pedestrian")
                .line(street(1), "osm_id", 2L, "name", "Via dei Calzaiuoli", "highway", "pedestrian", "oneway", "yes")
                .line(street(2), "osm_id", 3L, "name", "Piazza della Signoria", "highway", "tertiary", "maxspeed", "30");
    }

    ImportReport.Committed importNow(SourceLayer layer, ImportOptions options) {
        long job = JOBS.incrementAndGet();
        ImportReport report = pipeline.stage(job, "test.shp", layer, options, ImportPipeline.Progress.NONE);
        return pipeline.commit(job, report, options.mode(), options.area(), false, Actor.system("test"), ImportPipeline.CommitOutcome.NONE).committed();
    }

    @Test
    void anAppendCreatesElementsAndFindsOrCreatesTheirRoadsByName() {
        cadastre.execute("INSERT INTO road (name) VALUES ('Via dei Calzaiuoli')");
        var committed = importNow(threeStreets(), osm(ImportMode.APPEND));
        assertEquals(3, committed.inserted());
        assertEquals(1, committed.roadsCreated());
        assertEquals(List.of("Piazza della Signoria|E|30|both", "Via dei Calzaiuoli|F-bis||both", "Via dei Calzaiuoli|F-bis||forward"),
                cadastre.rows("SELECT r.name || '|' || e.functional_class || '|' || coalesce(e.speed_limit::text, '') || '|' "
                        + "|| e.direction FROM road_element e JOIN road r ON r.id = e.road_id ORDER BY 1"));
        assertEquals(2, cadastre.count("SELECT count(*) FROM road"));
        assertEquals(List.of("1", "2", "3"), cadastre.rows("SELECT source_key FROM road_element ORDER BY id"));
        assertEquals(0, cadastre.count("SELECT count(*) FROM pg_tables WHERE tablename LIKE 'import_staging_%'"),
                "the staging table is dropped after commit");
    }

    @Test
    void linesArriveReprojectedInTheStorageCrsAtTheRightPlace() {
        importNow(threeStreets(), osm(ImportMode.APPEND));
        assertEquals("6707", cadastre.one("SELECT DISTINCT ST_SRID(geom) FROM road_element"));
        // Back to lon/lat, the first vertex is where the source put it, to the millimetre.
        assertEquals("11.2550000 43.7730000", cadastre.one("SELECT round(ST_X(p)::numeric, 7) || ' ' || round(ST_Y(p)::numeric, 7) "
                + "FROM (SELECT ST_Transform(ST_StartPoint(geom), 4326) p FROM road_element WHERE source_key = '1') x"));
        long length = cadastre.count("SELECT round(length_m) FROM road_element WHERE source_key = '1'");
        assertTrue(length > 85 && length < 100, "about 92 m long: " + length);
    }

    @Test
    void aReplaceSwapsEveryElement() {
        importNow(threeStreets(), osm(ImportMode.APPEND));
        var committed = importNow(new TestLayer().line(street(5), "osm_id", 9L, "name", "Via Roma", "highway", "primary"),
                osm(ImportMode.REPLACE));
        assertEquals(3, committed.deleted());
        assertEquals(List.of("9"), cadastre.rows("SELECT source_key FROM live_road_element"));
        // Replaced elements are retired, not deleted: their rows (and ids) stay, with their validity ended.
        assertEquals(3, cadastre.count("SELECT count(*) FROM road_element WHERE valid_to IS NOT NULL"));
        assertEquals(3, cadastre.count("SELECT count(*) FROM road_element_history WHERE operation = 'UPDATE'"));
    }

    @Test
    void aReplaceWithinAnAreaKeepsWhatLiesOutside() {
        importNow(threeStreets(), osm(ImportMode.APPEND));
        // An area around the first street only.
        var area = ImportOptions.parseArea("11.2545,43.7725,11.2562,43.7740");
        var options = new ImportOptions(Mapping.preset("osm"), ImportMode.REPLACE, area);
        String first = cadastre.one("SELECT id FROM road_element WHERE source_key = '1'");
        var committed = importNow(new TestLayer().line(street(0), "osm_id", 10L, "name", "Via dei Calzaiuoli", "highway", "pedestrian"),
                options);
        // The same line under a new key is the same element, updated in place: it keeps its id.
        assertEquals(0, committed.deleted());
        assertEquals(1, committed.updated());
        assertEquals(List.of("10", "2", "3"), cadastre.rows("SELECT source_key FROM live_road_element ORDER BY source_key"));
        assertEquals(first, cadastre.one("SELECT id FROM road_element WHERE source_key = '10'"));
    }

    @Test
    void aReplaceKeepsTheIdsOfWhatItMatchesRetiresTheRestWithTheirEventsAndRoadsAndAddsWhatIsNew() {
        importNow(threeStreets(), osm(ImportMode.APPEND));
        String kept = cadastre.one("SELECT id FROM road_element WHERE source_key = '1'");
        String gone = cadastre.one("SELECT id FROM road_element WHERE source_key = '2'");
        cadastre.execute("INSERT INTO element_event (element_id, from_m, to_m, kind) VALUES (" + gone + ", 1, 5, 'works')");

        var committed = importNow(new TestLayer()
                        .line(street(0), "osm_id", 1L, "name", "Via dei Calzaiuoli", "highway", "pedestrian", "maxspeed", "10")
                        .line(street(5), "osm_id", 9L, "name", "Via Roma", "highway", "primary"),
                osm(ImportMode.REPLACE));

        assertEquals(List.of(1L, 2L, 1L), List.of(committed.updated(), committed.deleted(), committed.inserted()));
        assertEquals(List.of(kept + "|10"), cadastre.rows("SELECT id || '|' || speed_limit FROM live_road_element "
                + "WHERE source_key = '1'"));
        assertEquals(List.of("1", "9"), cadastre.rows("SELECT source_key FROM live_road_element ORDER BY source_key"));
        assertEquals(1, cadastre.count("SELECT count(*) FROM road_element WHERE id = " + gone + " AND valid_to IS NOT NULL"));
        assertEquals(0, cadastre.count("SELECT count(*) FROM live_element_event"), "the retired element's event retires with it");
        assertEquals(List.of("Via Roma", "Via dei Calzaiuoli"), cadastre.rows("SELECT name FROM live_road ORDER BY name"));
    }

    @Test
    void anUpsertUpdatesChangedElementsInPlaceLeavesTheSameAloneAndAddsNewOnes() {
        importNow(threeStreets(), osm(ImportMode.APPEND));
        String idsBefore = cadastre.one("SELECT string_agg(id::text, ',' ORDER BY source_key) FROM road_element");
        TestLayer next = new TestLayer()
                .line(street(0), "osm_id", 1L, "name", "Via dei Calzaiuoli", "highway", "pedestrian")
                .line(street(1), "osm_id", 2L, "name", "Via dei Calzaiuoli", "highway", "pedestrian", "oneway", "-1")
                .line(street(2), "osm_id", 3L, "name", "Piazza della Signoria", "highway", "tertiary", "maxspeed", "30")
                .line(street(3), "osm_id", 4L, "name", "Via Vacchereccia", "highway", "residential");
        var committed = importNow(next, osm(ImportMode.UPSERT));
        assertEquals(1, committed.updated());
        assertEquals(2, committed.unchanged());
        assertEquals(1, committed.inserted());
        assertEquals(idsBefore, cadastre.one("SELECT string_agg(id::text, ',' ORDER BY source_key) FROM road_element "
                + "WHERE source_key <> '4'"), "identifiers are stable");
        assertEquals("backward|2", cadastre.one("SELECT direction || '|' || version FROM road_element WHERE source_key = '2'"));
        assertEquals("1", cadastre.one("SELECT version FROM road_element WHERE source_key = '1'"));
    }

    @Test
    void anUpsertRefusesFeaturesWithoutAKeyOrWithTheSameKeyTwice() {
        TestLayer layer = new TestLayer()
                .line(street(0), "osm_id", 1L, "highway", "residential")
                .line(street(1), "osm_id", 1L, "highway", "residential")
                .line(street(2), "highway", "residential");
        ImportReport report = pipeline.stage(JOBS.incrementAndGet(), "keys.shp", layer, osm(ImportMode.UPSERT), ImportPipeline.Progress.NONE);
        assertEquals(3, report.counts().invalid());
        assertTrue(report.problems().stream().allMatch(p -> p.field().equals("source_key")), report.problems().toString());
        assertEquals(List.of(ReportCode.SOURCE_KEY_REPEATED, ReportCode.SOURCE_KEY_REPEATED, ReportCode.SOURCE_KEY_MISSING),
                report.problems().stream().map(ImportProblem::code).toList());
        assertEquals("no source key: upsert cannot match this feature (its 'osm_id' field is empty, and the mapping "
                + "takes source_key from it)", report.problems().get(2).reason(), "names the field the mapping reads");
    }

    @Test
    void badFeaturesAreReportedByNumberAndFieldAndKeepTheImportFromCommitting() {
        String before = cadastre.fingerprint();
        TestLayer layer = threeStreets()
                .feature(TestLayer.GEOMETRY.createPoint(new Coordinate(11.25, 43.77)), "highway", "residential")
                .feature(null, "highway", "residential")
                .line(new double[]{11.25, 43.77, 11.25, 43.77}, "highway", "residential")
                .line(street(4), "highway", "residential", "maxspeed", "500", "lanes", "40")
                .line(street(5), "highway", "hovercraft");
        long job = JOBS.incrementAndGet();
        ImportReport report = pipeline.stage(job, "bad.shp", layer, osm(ImportMode.APPEND), ImportPipeline.Progress.NONE);
        assertEquals(8, report.counts().read());
        assertEquals(8, report.counts().staged());
        assertEquals(3, report.counts().invalid());
        assertEquals(List.of("4 geometry error not-a-line", "5 geometry error null-shape", "6 geometry error invalid-line",
                        "7 lanes warning out-of-range", "7 maxspeed warning out-of-range", "8 highway warning unknown-value"),
                report.problems().stream().map(p -> p.featureNumber() + " " + p.field() + " " + p.severity().label() + " "
                        + p.code().code()).toList());
        assertTrue(report.problems().get(2).reason().contains("Too few points"), report.problems().get(2).reason());
        var refused = assertThrows(ImportException.class, () -> pipeline.commit(job, report, ImportMode.APPEND, null, false, Actor.system("test"), ImportPipeline.CommitOutcome.NONE));
        assertTrue(refused.getMessage().contains("3 features"), refused.getMessage());
        assertEquals(before, cadastre.fingerprint());
        var committed = pipeline.commit(job, report, ImportMode.APPEND, null, true, Actor.system("test"), ImportPipeline.CommitOutcome.NONE).committed();
        assertEquals(5, committed.inserted());
        assertEquals(3, committed.skippedInvalid());
    }

    @Test
    void aDiscardedImportLeavesTheCadastreExactlyAsItWas() {
        importNow(threeStreets(), osm(ImportMode.APPEND));
        String before = cadastre.fingerprint();
        long job = JOBS.incrementAndGet();
        pipeline.stage(job, "more.shp", new TestLayer().line(street(7), "name", "Via Nuova", "highway", "residential"),
                osm(ImportMode.REPLACE), ImportPipeline.Progress.NONE);
        pipeline.discard(job);
        assertEquals(before, cadastre.fingerprint());
        assertEquals(0, cadastre.count("SELECT count(*) FROM pg_tables WHERE tablename LIKE 'import_staging_%'"));
    }

    @Test
    void aCommitThatFailsHalfwayLeavesTheCadastreExactlyAsItWas() {
        importNow(threeStreets(), osm(ImportMode.APPEND));
        String before = cadastre.fingerprint();
        long job = JOBS.incrementAndGet();
        TestLayer layer = new TestLayer()
                .line(street(7), "osm_id", 20L, "name", "Via Nuova", "highway", "residential")
                .line(street(8), "osm_id", 21L, "name", "Via Nuovissima", "highway", "residential");
        ImportReport report = pipeline.stage(job, "late.shp", layer, osm(ImportMode.REPLACE), ImportPipeline.Progress.NONE);
        // Something the validation cannot have seen: the second row breaks a schema rule at insert time,
        // after the replace deleted everything and the first road was created.
        cadastre.execute("UPDATE import_staging_" + job + " SET lanes = 99 WHERE feature_number = 2");
        var failed = assertThrows(ImportException.class, () -> pipeline.commit(job, report, ImportMode.REPLACE, null, false, Actor.system("test"), ImportPipeline.CommitOutcome.NONE));
        assertTrue(failed.getMessage().contains("nothing was written"), failed.getMessage());
        assertEquals(before, cadastre.fingerprint());
    }

    @Test
    void aPointLayerIsRefusedAsRoads() {
        var e = assertThrows(ImportException.class, () -> pipeline.stage(JOBS.incrementAndGet(), "wells.shp",
                new TestLayer("Point", 4326), osm(ImportMode.APPEND), ImportPipeline.Progress.NONE));
        assertTrue(e.getMessage().contains("Point") && e.getMessage().contains("wells.shp"), e.getMessage());
    }

    @Test
    void aLayerWithoutACrsIsRefusedAskingForSrid() {
        var e = assertThrows(ImportException.class, () -> pipeline.stage(JOBS.incrementAndGet(), "noprj.shp",
                new TestLayer("PolyLine", null).line(street(0)), osm(ImportMode.APPEND), ImportPipeline.Progress.NONE));
        assertTrue(e.getMessage().contains("--srid"), e.getMessage());
    }

    @Test
    void preCommitChecksSeeTheStagedLinesAndTheirFindingsAreReportedWithoutKeepingFeaturesOut() {
        List<String> seen = new ArrayList<>();
        PreCommitCheck danglingCheck = (c, table, srid) -> {
            try (var st = c.createStatement(); var rs = st.executeQuery("SELECT feature_number, level, ST_SRID(geom) FROM "
                    + table + " ORDER BY 1")) {
                while (rs.next()) seen.add(rs.getLong(1) + ":" + rs.getString(2) + ":" + rs.getInt(3));
            }
            return List.of(new StagedFinding("dangling-end", "error", "ends 1 cm short of a junction", List.of(2L),
                            TestLayer.GEOMETRY.createPoint(new Coordinate(681_000, 4_849_000))),
                    new StagedFinding("short-element", "warning", "shorter than 1 m", List.of(3L),
                            TestLayer.GEOMETRY.createPoint(new Coordinate(681_100, 4_849_000))));
        };
        var checked = new ImportPipeline(db, List.of(danglingCheck));
        long job = JOBS.incrementAndGet();
        ImportReport report = checked.stage(job, "t.shp", threeStreets(), osm(ImportMode.APPEND), ImportPipeline.Progress.NONE);
        assertEquals(List.of("1:at_grade:6707", "2:at_grade:6707", "3:at_grade:6707"), seen);
        assertEquals(List.of("dangling-end", "short-element"), report.findings().stream().map(ImportReport.Finding::rule).toList());
        assertEquals(List.of("EPSG:6707", "EPSG:6707"), report.findings().stream().map(ImportReport.Finding::locationCrs).toList(),
                "a location says its CRS");
        assertEquals(0, report.counts().invalid());
        assertEquals(3, checked.commit(job, report, ImportMode.APPEND, null, false, Actor.system("test"), ImportPipeline.CommitOutcome.NONE).committed().inserted());
    }

    @Test
    void tensOfThousandsOfFindingsAreAllCountedButOnlyTheMostSevereThousandListed() {
        // Raw OSM lines give ~46,000 findings before their network is built: listing them all made the job's JSON megabytes.
        PreCommitCheck noisyCheck = (c, table, srid) -> {
            List<StagedFinding> findings = new ArrayList<>();
            for (int i = 0; i < 3000; i++) findings.add(new StagedFinding("pseudo-node", "info", "a way's end", List.of(1L), null));
            for (int i = 0; i < 5; i++) findings.add(new StagedFinding("self-intersection", "error", "crosses itself", List.of(2L), null));
            return findings;
        };
        ImportReport report = new ImportPipeline(db, List.of(noisyCheck)).stage(JOBS.incrementAndGet(), "t.shp",
                threeStreets(), osm(ImportMode.APPEND), ImportPipeline.Progress.NONE);
        assertEquals(3005, report.findingCount());
        assertEquals(5, report.findingsOfSeverity("error"));
        assertEquals(Map.of("pseudo-node (info)", 3000L, "self-intersection (error)", 5L), report.findingsByRule());
        assertEquals(ImportReport.LISTED_PROBLEMS, report.findings().size());
        assertEquals(List.of("error", "error", "error", "error", "error", "info"),
                report.findings().subList(0, 6).stream().map(ImportReport.Finding::severity).toList());
    }

    /** The replace area of the tests below, around street 0 (lon/lat), and the same in the storage CRS, for SQL. */
    static final String AREA = "11.2545,43.7725,11.2562,43.7740";
    static final String AREA_SQL = "ST_Transform(ST_MakeEnvelope(11.2545, 43.7725, 11.2562, 43.7740, 4326), 6707)";

    /** Inserts an event on the live element of that source key and returns its id. */
    String event(String sourceKey, double from, double to) {
        return cadastre.one("INSERT INTO element_event (element_id, from_m, to_m, kind) SELECT id, " + from + ", " + to
                + ", 'works' FROM live_road_element WHERE source_key = '" + sourceKey + "' RETURNING id");
    }

    @Test
    void aReplaceCutsElementsCrossingTheAreasEdgeKeepingTheirStretchOutsideWithItsIdAndEvents() {
        // Given street 0 inside the area, street 1 outside it, an element running into the area from the west (A),
        // one crossing it from west to east (B), and a lane wholly inside it, the only element of its road (C)
        importNow(threeStreets()
                .line(new double[]{11.2530, 43.7738, 11.2555, 43.7738}, "osm_id", 21L, "name", "Via Porta Rossa", "highway", "residential")
                .line(new double[]{11.2540, 43.7727, 11.2570, 43.7727}, "osm_id", 22L, "name", "Via Lambertesca", "highway", "residential")
                .line(new double[]{11.2548, 43.7726, 11.2549, 43.7729}, "osm_id", 23L, "name", "Vicolo Solo", "highway", "service"),
                osm(ImportMode.APPEND));
        String a = cadastre.one("SELECT id FROM road_element WHERE source_key = '21'");
        String b = cadastre.one("SELECT id FROM road_element WHERE source_key = '22'");
        double lengthB = Double.parseDouble(cadastre.one("SELECT length_m FROM road_element WHERE id = " + b));
        String outsideBefore = outsideTheArea();
        String a1 = event("21", 10, 50), a2 = event("21", 100, 150), a3 = event("21", 170, 190), b1 = event("22", 20, 200);

        // When a replace of the area brings street 0 with a new speed limit and a new street, and is checked
        var options = new ImportOptions(Mapping.preset("osm"), ImportMode.REPLACE, ImportOptions.parseArea(AREA));
        long job = JOBS.incrementAndGet();
        ImportReport report = pipeline.stage(job, "area.shp", new TestLayer()
                .line(street(0), "osm_id", 1L, "name", "Via dei Calzaiuoli", "highway", "pedestrian", "maxspeed", "10")
                .line(new double[]{11.2551, 43.7737, 11.2558, 43.7737}, "osm_id", 30L, "name", "Via Nuova", "highway", "residential"),
                options, ImportPipeline.Progress.NONE);
        String checked = cadastre.fingerprint();

        // Then the report says before the commit what it will do, and checking it wrote nothing
        assertEquals("1 elements inserted, 1 updated, 0 unchanged, 1 retired, 2 cut at the area's edge; 1 roads created, "
                + "1 retired", report.planned().changes());
        assertEquals(checked, cadastre.fingerprint());
        // and the commit does exactly that
        var committed = pipeline.commit(job, report, options.mode(), options.area(), false, Actor.system("test"),
                ImportPipeline.CommitOutcome.NONE).committed();
        assertEquals(report.planned().changes(), committed.changes());

        // A keeps its id and its stretch west of the area; B keeps its id west of it, and its stretch east of it is a
        // new element whose lineage names B
        assertEquals(List.of(a + "|" + 21, b + "|" + 22), cadastre.rows("SELECT id || '|' || source_key FROM live_road_element "
                + "WHERE id IN (" + a + ", " + b + ") AND ST_XMax(ST_Transform(geom, 4326)) < 11.25451 ORDER BY id"));
        String east = cadastre.one("SELECT id FROM live_road_element WHERE split_from = " + b);
        assertEquals("22|Via Lambertesca", cadastre.one("SELECT e.source_key || '|' || r.name FROM road_element e "
                + "JOIN road r ON r.id = e.road_id WHERE e.id = " + east));
        assertEquals(0, cadastre.count("SELECT count(*) FROM live_road_element WHERE source_key IN ('21', '22') "
                + "AND ST_Relate(geom, " + AREA_SQL + ", '1********')"), "nothing of them is left inside the area");
        assertEquals(outsideBefore, outsideTheArea(), "nothing outside the area is lost");

        // Events: one outside stays as it was; one across the edge ends at it; one inside retires; one across the
        // gap B's cut left is cut in two, its stretch east of the area measured from the start of the new element
        double lengthA = Double.parseDouble(cadastre.one("SELECT length_m FROM road_element WHERE id = " + a));
        double eastStart = lengthB - Double.parseDouble(cadastre.one("SELECT length_m FROM road_element WHERE id = " + east));
        assertEquals("10.000|50.000|1", measures(a1));
        assertEquals(String.format(java.util.Locale.ROOT, "100.000|%.3f|2", lengthA), measures(a2));
        assertEquals(1, cadastre.count("SELECT count(*) FROM element_event WHERE id = " + a3 + " AND valid_to IS NOT NULL"));
        assertEquals(String.format(java.util.Locale.ROOT, "20.000|%.3f|2",
                Double.parseDouble(cadastre.one("SELECT length_m FROM road_element WHERE id = " + b))), measures(b1));
        assertEquals(String.format(java.util.Locale.ROOT, "0.000|%.3f|1", 200 - eastStart), cadastre.one("SELECT "
                + "round(from_m::numeric, 3) || '|' || round(to_m::numeric, 3) || '|' || version FROM live_element_event "
                + "WHERE element_id = " + east));

        // C and its road are retired; A's road lives on
        assertEquals(List.of("Piazza della Signoria", "Via Lambertesca", "Via Nuova", "Via Porta Rossa", "Via dei Calzaiuoli"),
                cadastre.rows("SELECT name FROM live_road ORDER BY name"));
        assertEquals(1, cadastre.count("SELECT count(*) FROM road_element WHERE source_key = '23' AND valid_to IS NOT NULL"));
    }

    /** The live elements' stretches outside the area: their total length to the centimetre. */
    private String outsideTheArea() {
        return cadastre.one("SELECT round(sum(ST_Length(ST_Difference(geom, " + AREA_SQL + ")))::numeric, 2) FROM live_road_element");
    }

    /** An event's measures and version (live or not). */
    private String measures(String event) {
        return cadastre.one("SELECT round(from_m::numeric, 3) || '|' || round(to_m::numeric, 3) || '|' || version "
                + "FROM element_event WHERE id = " + event);
    }

    @Test
    void aReplaceWhoseAreaChangedSinceItWasCheckedIsRefusedWithNothingWritten() {
        importNow(threeStreets(), osm(ImportMode.APPEND));
        var options = new ImportOptions(Mapping.preset("osm"), ImportMode.REPLACE, ImportOptions.parseArea(AREA));
        long job = JOBS.incrementAndGet();
        ImportReport report = pipeline.stage(job, "area.shp", new TestLayer()
                .line(street(0), "osm_id", 1L, "name", "Via dei Calzaiuoli", "highway", "pedestrian"), options,
                ImportPipeline.Progress.NONE);
        assertEquals(0, report.planned().deleted());
        // Someone draws an element in the area after the check: the commit would now retire it, which the report did
        // not say
        cadastre.execute("INSERT INTO road_element (geom) SELECT ST_Transform(ST_GeomFromText('LINESTRING(11.2551 43.7737, "
                + "11.2558 43.7737)', 4326), 6707)");
        String before = cadastre.fingerprint();

        var refused = assertThrows(ImportException.class, () -> pipeline.commit(job, report, options.mode(), options.area(),
                false, Actor.system("test"), ImportPipeline.CommitOutcome.NONE));

        assertTrue(refused.getMessage().contains("would now make 0 elements inserted, 0 updated, 1 unchanged, 1 retired")
                && refused.getMessage().contains("Nothing was written"), refused.getMessage());
        assertEquals(before, cadastre.fingerprint());
    }

    @Test
    void aReplaceRefusesToOverwriteAnEditMadeSinceItsCheckToAnElementItWouldUpdate() {
        importNow(threeStreets(), osm(ImportMode.APPEND));
        var options = osm(ImportMode.REPLACE);
        long job = JOBS.incrementAndGet();
        ImportReport report = pipeline.stage(job, "survey.shp", new TestLayer()
                .line(street(0), "osm_id", 1L, "name", "Via dei Calzaiuoli", "highway", "pedestrian", "maxspeed", "10"),
                options, ImportPipeline.Progress.NONE);
        assertEquals(List.of(1L, 2L), List.of(report.planned().updated(), report.planned().deleted()));
        // An editor sets the speed limit of the element the import will update, after the check: the counts the
        // commit would make are the same, but the commit would overwrite the edit
        cadastre.execute("UPDATE road_element SET speed_limit = 15 WHERE source_key = '1'");
        String before = cadastre.fingerprint();

        var refused = assertThrows(ImportException.class, () -> pipeline.commit(job, report, options.mode(), options.area(),
                false, Actor.system("test"), ImportPipeline.CommitOutcome.NONE));

        assertTrue(refused.getMessage().contains("were edited since") && refused.getMessage().contains("Nothing was written"),
                refused.getMessage());
        assertEquals(before, cadastre.fingerprint());
        assertEquals("15", cadastre.one("SELECT speed_limit FROM live_road_element WHERE source_key = '1'"));
    }

    @Test
    void anUpsertRefusesToOverwriteAnEditSinceItsCheckButNotAnEditOfWhatItLeavesAlone() {
        importNow(threeStreets(), osm(ImportMode.APPEND));
        var options = osm(ImportMode.UPSERT);
        TestLayer survey = new TestLayer()
                .line(street(2), "osm_id", 3L, "name", "Piazza della Signoria", "highway", "tertiary", "maxspeed", "50");
        long job = JOBS.incrementAndGet();
        ImportReport report = pipeline.stage(job, "survey.shp", survey, options, ImportPipeline.Progress.NONE);
        cadastre.execute("UPDATE road_element SET speed_limit = 40 WHERE source_key = '3'");

        var refused = assertThrows(ImportException.class, () -> pipeline.commit(job, report, options.mode(), options.area(),
                false, Actor.system("test"), ImportPipeline.CommitOutcome.NONE));
        assertTrue(refused.getMessage().contains("were edited since"), refused.getMessage());
        assertEquals("40", cadastre.one("SELECT speed_limit FROM live_road_element WHERE source_key = '3'"));

        // Checked again, with an edit since of an element the upsert does not carry: nothing of it is overwritten
        long again = JOBS.incrementAndGet();
        ImportReport rechecked = pipeline.stage(again, "survey.shp", survey, options, ImportPipeline.Progress.NONE);
        cadastre.execute("UPDATE road_element SET speed_limit = 20 WHERE source_key = '1'");
        var committed = pipeline.commit(again, rechecked, options.mode(), options.area(), false, Actor.system("test"),
                ImportPipeline.CommitOutcome.NONE).committed();
        assertEquals(1, committed.updated());
        assertEquals(List.of("1|20", "3|50"), cadastre.rows("SELECT source_key || '|' || speed_limit FROM live_road_element "
                + "WHERE source_key IN ('1', '3') ORDER BY source_key"));
    }

    @Test
    void aCommitSaysWhereItChangedTheCadastreOldPlacesAndNewAlike() {
        List<Envelope> told = new ArrayList<>();
        for (var source : List.of(
                Map.entry(new TestLayer().line(street(0), "osm_id", 1L, "name", "Via Vecchia", "highway", "residential"), ImportMode.APPEND),
                Map.entry(new TestLayer().line(street(7), "osm_id", 2L, "name", "Via Nuova", "highway", "residential"), ImportMode.REPLACE))) {
            long job = JOBS.incrementAndGet();
            ImportReport report = pipeline.stage(job, "t.shp", source.getKey(), osm(source.getValue()), ImportPipeline.Progress.NONE);
            told.add(pipeline.commit(job, report, source.getValue(), null, false, Actor.system("test"), ImportPipeline.CommitOutcome.NONE).changed());
        }

        assertEquals(2, told.size());
        Envelope old = told.get(0);
        assertTrue(old.getWidth() > 70 && old.getWidth() < 90, "street 0 is 80 m wide in metres: " + old);
        assertTrue(told.get(1).covers(old), "the replaced street's place changed too: " + told);
        assertTrue(told.get(1).getWidth() > 780, "and the new street's, 700 m east: " + told.get(1));
    }

    @Test
    void twoImportsAtOnceEachLandWhole() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Callable<ImportReport.Committed>> imports = new ArrayList<>();
            for (int k = 0; k < 2; k++) {
                int offset = k * 1000;
                imports.add(() -> {
                    TestLayer layer = new TestLayer();
                    for (int i = 0; i < 500; i++) {
                        layer.line(street(i % 50), "osm_id", (long) (offset + i), "name", "Via " + (i % 40), "highway", "residential");
                    }
                    return importNow(layer, osm(ImportMode.APPEND));
                });
            }
            for (Future<ImportReport.Committed> f : pool.invokeAll(imports)) assertEquals(500, f.get().inserted());
        } finally {
            pool.shutdown();
        }
        assertEquals(1000, cadastre.count("SELECT count(*) FROM road_element"));
        assertEquals(40, cadastre.count("SELECT count(*) FROM road"), "each name once, though both imports created roads");
        assertFalse(cadastre.rows("SELECT source_key FROM road_element").contains(null));
    }
}
