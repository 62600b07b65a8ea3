package it.firenze.streetcad.server;

import it.firenze.streetcad.access.Actor;
import it.firenze.streetcad.access.AccessHttp;
import it.firenze.streetcad.api.HealthModule;
import it.firenze.streetcad.api.HttpModule;
import it.firenze.streetcad.api.HttpServer;
import it.firenze.streetcad.api.MetricsModule;
import it.firenze.streetcad.api.SecurityHeaders;
import it.firenze.streetcad.db.CadastreStore;
import it.firenze.streetcad.editing.EditingHttp;
import it.firenze.streetcad.features.FeaturesModule;
import it.firenze.streetcad.importer.ImportHttpModule;
import it.firenze.streetcad.importer.ImportJobs;
import it.firenze.streetcad.importer.SampleLoader;
import it.firenze.streetcad.jobs.JobsModule;
import it.firenze.streetcad.network.NetworkModule;
import it.firenze.streetcad.tiles.TileLayer;
import it.firenze.streetcad.tiles.TileService;
import it.firenze.streetcad.tiles.TileSettings;
import it.firenze.streetcad.tiles.TilesModule;
import it.firenze.streetcad.topology.ImportedNetwork;
import it.firenze.streetcad.topology.HeavyWork;
import it.firenze.streetcad.topology.TopologyModule;
import it.firenze.streetcad.topology.TopologyPreCommitCheck;
import it.firenze.streetcad.viability.MeasureClock;
import it.firenze.streetcad.viability.Routing;
import it.firenze.streetcad.viability.Viability;
import it.firenze.streetcad.viability.ViabilityModule;
import it.firenze.streetcad.web.WebMapModule;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The composition root: opens the cadastre store, wires each capability's HTTP module and serves them.
 * Stopping it stops HTTP first (in-flight requests finish), then the database and its embedded cluster.
 */
public final class StreetCadServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StreetCadServer.class);
    /** Imports are mostly database work; two at a time keep a 2-core machine answering requests. */
    private static final int IMPORT_WORKERS = 2;

    private final CadastreStore store;
    private final TileService tiles;
    private final ImportJobs imports;
    private final TopologyModule topology;
    private final HttpServer http;

    private StreetCadServer(CadastreStore store, TileService tiles, ImportJobs imports, TopologyModule topology,
                            HttpServer http) {
        this.store = store;
        this.tiles = tiles;
        this.imports = imports;
        this.topology = topology;
        this.http = http;
    }

    public static StreetCadServer start(ServerSettings settings) {
        CadastreStore store = CadastreStore.open(settings.database());
        TileService tiles = null;
        ImportJobs imports = null;
        TopologyModule topology = null;
        try {
            tiles = TileService.start(store.database(), TileSettings.fromEnvironment(System.getenv()),
                    Map.of(TileLayer.VIABILITY, new MeasureClock(store.database())::idsAt));
            if (settings.imports().loadSample() != null) loadSample(store, settings.imports().loadSample());
            ImportHttpModule.sweepLeftoverUploads();
            imports = new ImportJobs(store.database(), List.of(TopologyPreCommitCheck.allRules()),
                    List.of(TopologyPreCommitCheck.buildingTheNetwork()), IMPORT_WORKERS);
            imports.warmUpInBackground();
            WebMapModule webMap = new WebMapModule(store.database(), settings.basemapUrl());
            topology = new TopologyModule(store.database(), HeavyWork.fromEnvironment(System.getenv()));
            ImportHttpModule importHttp = new ImportHttpModule(imports, settings.imports().maxUploadBytes());
            // A browser's plain GET / shows the web map; the OGC API landing page answers everyone else.
            AtomicBoolean warmedUp = new AtomicBoolean(settings.warmUp().isZero());
            List<HttpModule> modules = List.of(new AccessHttp(store.database(), settings.access()),
                    new HealthModule(store.database(), warmedUp::get), new MetricsModule(),
                    new FeaturesModule(store.database(), webMap.browserHome(), true),
                    // Viability's writes on its own collections must match before the generic editing routes.
                    new ViabilityModule(store.database(), routing(store), Viability.conflictDistance(System.getenv())),
                    new EditingHttp(store.database()), new NetworkModule(store.database()),
                    new TilesModule(tiles), topology,
                    importHttp, new JobsModule(store.database(), Map.of("import", importHttp.canceller())), webMap);
            store.database().warmReads();
            HttpServer http = new HttpServer(settings.host(), settings.port(), settings.stopTimeoutMillis(), settings.links(),
                    SecurityHeaders.withBasemap(settings.basemapUrl()), modules).start();
            LOG.info("StreetCad serving on http://{}:{}/", displayHost(settings.host()), http.port());
            if (!warmedUp.get()) {
                SelfWarmUp.run(URI.create("http://" + loopbackHost(settings.host()) + ":" + http.port() + "/"),
                        settings.database().maxConnections(), settings.warmUp());
                warmedUp.set(true);
            }
            return new StreetCadServer(store, tiles, imports, topology, http);
        } catch (RuntimeException e) {
            if (imports != null) imports.close();
            if (topology != null) topology.close();
            if (tiles != null) tiles.close();
            store.close();
            throw e;
        }
    }

    public int port() {
        return http.port();
    }

    /** The HTTP front (tests: its routes' order). */
    HttpServer http() {
        return http;
    }

    public CadastreStore store() {
        return store;
    }

    @Override
    public void close() {
        try {
            http.close();
            imports.close();
            topology.close();
        } finally {
            tiles.close();
            store.close();
        }
    }

    /**
     * A sample is raw lines (OSM ways run through junctions): checked as lines about to be built, then built into
     * elements between junctions, whose validation records the cadastre's open issues.
     */
    private static void loadSample(CadastreStore store, Path sample) {
        try (ImportJobs sampleJobs = new ImportJobs(store.database(), List.of(TopologyPreCommitCheck.beforeNetworkBuild()), 1)) {
            if (SampleLoader.loadIfEmpty(store.database(), sampleJobs, sample).isEmpty()) return;
        }
        try {
            ImportedNetwork.Outcome outcome = ImportedNetwork.buildAndValidate(store.database(), Actor.system("sample load"));
            LOG.info("sample network built: {} elements between {} junctions; {} topology findings recorded",
                    outcome.build().elements(), outcome.build().junctions(), outcome.validation().findings().size());
        } catch (SQLException e) {
            throw new IllegalStateException("building the sample's network failed: " + e.getMessage(), e);
        }
    }

    /** The routing graph, loaded in the background so that serving starts at once (the first route waits for it). */
    private static Routing routing(CadastreStore store) {
        Routing routing = new Routing(store.database());
        Thread.ofVirtual().name("routing-warm-up").start(() -> {
            try {
                routing.warmUp();
            } catch (SQLException | RuntimeException e) {
                LOG.warn("loading the routing graph failed; the first route will try again: {}", e.getMessage());
            }
        });
        return routing;
    }

    /** Where the server reaches itself: loopback when it listens on every address, else the one it listens on. */
    private static String loopbackHost(String host) {
        if (host.equals("0.0.0.0") || host.equals("::") || host.isEmpty()) return "127.0.0.1";
        return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    }

    private static String displayHost(String host) {
        return host.equals("0.0.0.0") ? "localhost" : host;
    }
}
