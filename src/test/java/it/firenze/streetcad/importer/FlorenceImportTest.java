package it.firenze.streetcad.importer;

import it.firenze.streetcad.access.Actor;
import com.fasterxml.jackson.databind.JsonNode;
import it.firenze.streetcad.db.Database;
import it.firenze.streetcad.importer.shapefile.ArchiveLimits;
import it.firenze.streetcad.testing.TestPostgis;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Given the real Florence sample (33,089 OSM lines), the importer lands every line with its name, and a Latin-1
 * Gauss-Boaga copy made by ogr2ogr lands where ogr2ogr itself puts it.
 */
class FlorenceImportTest {

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
    void theSampleLoadsIntoAnEmptyCadastreWithEveryNameExactAndOnlyOnce(@TempDir Path tmp) throws Exception {
        var job = SampleLoader.loadIfEmpty(db, jobs, Gdal.FLORENCE.getParent()).orElseThrow();
        var report = job.importReport();
        assertEquals(33_089, report.counts().read());
        assertEquals(0, report.counts().invalid());
        assertEquals(4326, report.crs().srid());
        assertTrue(report.encoding().source().contains(".cpg"), report.encoding().source());
        assertEquals(33_089, cadastre.count("SELECT count(*) FROM road_element"));

        List<String> expected = new ArrayList<>();
        for (JsonNode f : Gdal.features(Gdal.FLORENCE, tmp)) {
            JsonNode name = f.path("properties").path("name");
            expected.add(name.isNull() || name.isMissingNode() ? "" : name.asText());
        }
        assertEquals(expected, cadastre.rows("SELECT coalesce(r.name, '') FROM road_element e LEFT JOIN road r ON r.id = e.road_id "
                + "ORDER BY e.id"));
        assertEquals(expected.stream().filter(n -> !n.isEmpty()).distinct().count(), cadastre.count("SELECT count(*) FROM road"));
        assertTrue(cadastre.count("SELECT count(*) FROM road WHERE name LIKE '%à%' OR name LIKE '%ò%'") > 0);

        assertTrue(SampleLoader.loadIfEmpty(db, jobs, Gdal.FLORENCE.getParent()).isEmpty(), "a second start loads nothing");
        assertEquals(33_089, cadastre.count("SELECT count(*) FROM road_element"));
    }

    @Test
    void everyDbfFieldOfTheSampleArrivesTheUnmappedOnesInSourceAttributesAsOgrinfoReadsThem(@TempDir Path tmp) throws Exception {
        SampleLoader.loadIfEmpty(db, jobs, Gdal.FLORENCE.getParent()).orElseThrow();
        Mapping osm = Mapping.preset("osm");
        List<String> stored = cadastre.rows("SELECT coalesce(source_attributes::text, '{}') FROM road_element ORDER BY id");
        JsonNode oracle = Gdal.features(Gdal.FLORENCE, tmp);
        assertEquals(oracle.size(), stored.size());
        java.util.Set<String> fields = new java.util.TreeSet<>();
        java.util.Set<String> kept = new java.util.TreeSet<>();
        for (int i = 0; i < oracle.size(); i++) {
            com.fasterxml.jackson.databind.node.ObjectNode expected = it.firenze.streetcad.api.Json.mapper().createObjectNode();
            oracle.get(i).path("properties").properties().forEach(p -> {
                fields.add(p.getKey());
                boolean empty = p.getValue().isNull() || p.getValue().asText().isEmpty();
                if (!osm.reads(p.getKey()) && !empty) expected.set(p.getKey(), p.getValue());
            });
            JsonNode actual = it.firenze.streetcad.api.Json.mapper().readTree(stored.get(i));
            actual.fieldNames().forEachRemaining(kept::add);
            assertEquals(expected, actual, "feature " + (i + 1));
        }
        // every field of the .dbf is read by the mapping or kept
        assertEquals(fields, fields.stream().filter(f -> osm.reads(f) || kept.contains(f))
                .collect(java.util.stream.Collectors.toCollection(java.util.TreeSet::new)));
        assertEquals(java.util.Set.of("access", "bicycle", "foot"), kept);
    }

    @Test
    void aLatin1GaussBoagaCopyLandsWithinOneCentimetreOfOgr2ogrsReprojectionWithTheSameNames(@TempDir Path tmp) throws Exception {
        Path copy = tmp.resolve("firenze_gb.shp");
        Gdal.ogr2ogr("-t_srs", "EPSG:3003", "-lco", "ENCODING=ISO-8859-1", copy.toString(), Gdal.FLORENCE.toString());
        JsonNode oracle = Gdal.features(copy, tmp, "-t_srs", "EPSG:" + db.storageSrid());

        ImportRequest request = ImportParameters.request("firenze_gb.shp", copy, null, Mapping.preset("osm"), null, null,
                "append", null, ArchiveLimits.defaults(), null);
        var job = jobs.stageNow(request, ImportPipeline.Progress.NONE);
        assertEquals("validated", job.state(), job.error());
        assertEquals(3003, job.importReport().crs().srid());
        assertTrue(job.importReport().encoding().source().contains("ISO-8859-1"), job.importReport().encoding().toString());
        assertTrue(jobs.commit(job.id(), false, true, Actor.system("test")).committed());

        List<String> names = cadastre.rows("SELECT coalesce(r.name, '') FROM road_element e LEFT JOIN road r ON r.id = e.road_id "
                + "ORDER BY e.id");
        List<String> coordinates = cadastre.rows("SELECT ST_AsText(geom, 4) FROM road_element ORDER BY id");
        assertEquals(oracle.size(), names.size());
        double worst = 0;
        for (int i = 0; i < oracle.size(); i++) {
            JsonNode f = oracle.get(i);
            JsonNode name = f.path("properties").path("name");
            assertEquals(name.isNull() || name.isMissingNode() ? "" : name.asText(), names.get(i), "feature " + (i + 1));
            JsonNode expected = f.path("geometry").path("coordinates");
            String[] actual = coordinates.get(i).replaceAll("[A-Z()]", "").split(",");
            assertEquals(expected.size(), actual.length, "vertices of feature " + (i + 1));
            for (int v = 0; v < actual.length; v++) {
                String[] xy = actual[v].strip().split(" ");
                double dx = Double.parseDouble(xy[0]) - expected.get(v).get(0).asDouble();
                double dy = Double.parseDouble(xy[1]) - expected.get(v).get(1).asDouble();
                worst = Math.max(worst, Math.hypot(dx, dy));
            }
        }
        assertTrue(worst < 0.01, "largest distance from ogr2ogr's vertex: " + worst + " m");
        assertEquals(1, cadastre.count("SELECT count(*) FROM road WHERE name IN ('Piazza della Libertà')"));
        assertEquals(34, cadastre.count("SELECT count(*) FROM road_element e JOIN road r ON r.id = e.road_id "
                + "WHERE r.name = 'Piazza della Libertà'"), "accented names arrive exactly");
    }
}
