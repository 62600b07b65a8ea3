package it.firenze.streetcad.importer;

import it.firenze.streetcad.access.Actor;
import it.firenze.streetcad.db.Database;
import it.firenze.streetcad.importer.shapefile.ArchiveLimits;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Optional;

/**
 * Loads a sample network into an empty cadastre ({@code serve --load-sample}), so that a first start shows a
 * city. Instances starting together take turns on an advisory lock, so the sample is loaded once.
 */
public final class SampleLoader {

    private static final Logger LOG = LoggerFactory.getLogger(SampleLoader.class);

    private SampleLoader() {
    }

    /** Imports {@code path} with the osm mapping when road_element is empty; the committed job, or empty. */
    public static Optional<ImportJobs.Job> loadIfEmpty(Database database, ImportJobs jobs, Path path) {
        try (Connection c = database.connection()) {
            lock(c, "SELECT pg_advisory_lock(?, 1)");
            try {
                try (var st = c.createStatement(); var rs = st.executeQuery("SELECT EXISTS (SELECT 1 FROM road_element)")) {
                    rs.next();
                    if (rs.getBoolean(1)) {
                        LOG.info("cadastre already has road elements: sample {} not loaded", path);
                        return Optional.empty();
                    }
                }
                ImportRequest request = ImportParameters.request(path.toString(), path, null, Mapping.preset("osm"), null, null,
                        "append", null, ArchiveLimits.defaults(), null);
                ImportJobs.Job job = jobs.stageNow(request, ImportPipeline.Progress.NONE);
                if (job.state().equals("validated")) job = jobs.commit(job.id(), true, true, Actor.system("sample load"));
                if (!job.committed()) {
                    LOG.error("sample {} was not loaded: {}", path, job.error());
                    return Optional.empty();
                }
                var done = job.importReport().committed();
                LOG.info("sample {} loaded: {} road elements, {} roads (import {})", path, done.inserted(), done.roadsCreated(), job.id());
                return Optional.of(job);
            } finally {
                lock(c, "SELECT pg_advisory_unlock(?, 1)");
            }
        } catch (ImportException e) {
            LOG.error("sample {} was not loaded: {}", path, e.getMessage());
            return Optional.empty();
        } catch (SQLException e) {
            throw new IllegalStateException("loading the sample failed: " + e.getMessage(), e);
        }
    }

    private static void lock(Connection c, String sql) throws SQLException {
        try (PreparedStatement st = c.prepareStatement(sql)) {
            st.setInt(1, CadastreCommit.LOCK_CLASS);
            st.execute();
        }
    }
}
