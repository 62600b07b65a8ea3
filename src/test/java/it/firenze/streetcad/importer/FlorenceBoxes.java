package it.firenze.streetcad.importer;

import it.firenze.streetcad.access.Actor;
import it.firenze.streetcad.db.Database;
import it.firenze.streetcad.importer.shapefile.ArchiveLimits;
import it.firenze.streetcad.topology.TopologyPreCommitCheck;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Florence sample's lines cut to lon/lat boxes (as a region is delivered in tiles), for imports in tests. */
final class FlorenceBoxes {

    private FlorenceBoxes() {
    }

    /** The sample's lines cut to the box, as a shapefile in {@code dir} named {@code name}, in an append's request. */
    static ImportRequest box(Path dir, String name, double west, double south, double east, double north) {
        Path clipped = dir.resolve(name + "_clipped.shp"), shp = dir.resolve(name + ".shp");
        Gdal.ogr2ogr("-spat", String.valueOf(west), String.valueOf(south), String.valueOf(east), String.valueOf(north),
                "-clipsrc", "spat_extent", "-explodecollections", "-nlt", "LINESTRING", "-skipfailures", clipped.toString(),
                Gdal.FLORENCE.toString());
        // without the stubs of less than a metre or so the cut leaves where a line grazes the box's edge
        Gdal.ogr2ogr("-dialect", "SQLite", "-sql", "SELECT * FROM " + name + "_clipped WHERE ST_Length(geometry) > 0.00002", "-explodecollections",
                shp.toString(), clipped.toString());
        assertTrue(Files.exists(shp));
        return ImportParameters.request(name + ".shp", shp, null, Mapping.preset("osm"), null, null,
                "append", null, ArchiveLimits.defaults(), null);
    }

    /** The box's lines imported into {@code db} with every topology rule checked, committed, its findings recorded. */
    static ImportReport importBox(Database db, Path dir, String name, double west, double south, double east, double north) {
        try (ImportJobs jobs = new ImportJobs(db, List.of(TopologyPreCommitCheck.allRules()), 1)) {
            ImportJobs.Job committed = stageAndCommit(jobs, box(dir, name, west, south, east, north));
            assertEquals("committed", committed.state(), String.valueOf(committed.error()));
            return committed.importReport();
        }
    }

    /** Stages the request (every feature valid) and commits it, waiting for its findings to be recorded. */
    static ImportJobs.Job stageAndCommit(ImportJobs jobs, ImportRequest request) {
        ImportJobs.Job staged = jobs.stageNow(request, ImportPipeline.Progress.NONE);
        assertEquals(0, staged.importReport().counts().invalid(), staged.importReport().problems().toString());
        return jobs.commit(staged.id(), false, true, Actor.system("test"));
    }
}
