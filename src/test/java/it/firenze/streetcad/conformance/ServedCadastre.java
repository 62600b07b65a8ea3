package it.firenze.streetcad.conformance;

import it.firenze.streetcad.access.Role;
import it.firenze.streetcad.api.HealthModule;
import it.firenze.streetcad.api.MetricsModule;
import it.firenze.streetcad.db.Database;
import it.firenze.streetcad.features.FeaturesModule;
import it.firenze.streetcad.features.SmallNetwork;
import it.firenze.streetcad.importer.ImportHttpModule;
import it.firenze.streetcad.importer.ImportJobs;
import it.firenze.streetcad.jobs.JobsModule;
import it.firenze.streetcad.network.NetworkModule;
import it.firenze.streetcad.testing.TestHttp;
import it.firenze.streetcad.tiles.TileLayer;
import it.firenze.streetcad.tiles.TileService;
import it.firenze.streetcad.tiles.TileSettings;
import it.firenze.streetcad.tiles.TilesModule;
import it.firenze.streetcad.topology.TopologyModule;
import it.firenze.streetcad.viability.MeasureClock;
import it.firenze.streetcad.viability.Routing;
import it.firenze.streetcad.viability.Viability;
import it.firenze.streetcad.viability.ViabilityModule;

import java.util.List;
import java.util.Map;

/**
 * The small network around the Duomo served by every module the server composes but the web map (health, Features, network
 * operations, Tiles, topology, imports) on one real HTTP port: what an OGC test suite or a city system talks to.
 */
final class ServedCadastre implements AutoCloseable {

    final Database db;
    final TestHttp http;
    private final TileService tiles;
    private final ImportJobs imports;

    ServedCadastre() {
        db = it.firenze.streetcad.testing.TestPostgis.newCadastre();
        SmallNetwork.insert(db);
        tiles = TileService.start(db, new TileSettings(15, 256, 20_000, 1_000_000, 16L << 20, "public, no-cache", 50),
                Map.of(TileLayer.VIABILITY, new MeasureClock(db)::idsAt));
        imports = new ImportJobs(db, List.of(), 1);
        // Behind access control as in production, with every module whose paths the API definition lists; the
        // requests carry a technician's key (imports, validations).
        ImportHttpModule importHttp = new ImportHttpModule(imports, 64L << 20);
        http = TestHttp.withKey(db, Role.TECHNICIAN, new HealthModule(db), new MetricsModule(),
                new FeaturesModule(db, null, true), new ViabilityModule(db, new Routing(db), Viability.DEFAULT_CONFLICT_DISTANCE),
                new NetworkModule(db), new TilesModule(tiles), new TopologyModule(db), importHttp,
                new JobsModule(db, Map.of("import", importHttp.canceller())));
    }

    @Override
    public void close() {
        http.close();
        imports.close();
        tiles.close();
        db.close();
    }
}
