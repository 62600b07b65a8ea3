package it.firenze.streetcad.cli;

import ch.qos.logback.classic.LoggerContext;
import it.firenze.streetcad.access.AccessSettings;
import it.firenze.streetcad.access.JwtSettings;
import it.firenze.streetcad.api.PublicBaseUrl;
import it.firenze.streetcad.db.DatabaseSettings;
import it.firenze.streetcad.importer.ImportSettings;
import it.firenze.streetcad.server.ServerSettings;
import it.firenze.streetcad.server.StreetCadServer;
import it.firenze.streetcad.web.WebMapModule;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serve the cadastre over HTTP (web map, OGC API, network operations). Applies migrations at start.")
final class ServeCommand implements Callable<Integer> {

    @Mixin
    DatabaseOptions database;

    @Option(names = "--db-read-url", defaultValue = "${env:STREETCAD_DB_READ_URL}", paramLabel = "URL",
            description = "A streaming replica of --db-url that reads of HTTP requests (features, tiles) go to; writes, "
                    + "jobs and sessions stay on --db-url. Default: none. Env: STREETCAD_DB_READ_URL.")
    String dbReadUrl;

    @Option(names = "--host", defaultValue = "${env:STREETCAD_HOST:-0.0.0.0}", paramLabel = "ADDR",
            description = "Address to listen on (default: ${DEFAULT-VALUE}). Env: STREETCAD_HOST.")
    String host;

    @Option(names = "--port", defaultValue = "${env:STREETCAD_PORT:-7070}", paramLabel = "PORT",
            description = "HTTP port (default: ${DEFAULT-VALUE}; 0 picks a free one). Env: STREETCAD_PORT.")
    int port;

    @Option(names = "--stop-timeout", defaultValue = "${env:STREETCAD_STOP_TIMEOUT:-30}", paramLabel = "SECONDS",
            description = "How long in-flight requests may take to finish on SIGTERM (default: ${DEFAULT-VALUE}).")
    int stopTimeoutSeconds;

    @Option(names = "--load-sample", defaultValue = "${env:STREETCAD_LOAD_SAMPLE}", paramLabel = "PATH",
            description = "A shapefile imported with the osm mapping at start when the cadastre has no road elements yet "
                    + "(e.g. geodata/florence-osm). Env: STREETCAD_LOAD_SAMPLE.")
    Path loadSample;

    @Option(names = "--import-max-upload", defaultValue = "${env:STREETCAD_IMPORT_MAX_UPLOAD_MB:-512}", paramLabel = "MB",
            description = "The largest zip POST /imports accepts, in MiB (default: ${DEFAULT-VALUE}). Env: STREETCAD_IMPORT_MAX_UPLOAD_MB.")
    long maxUploadMegabytes;

    @Option(names = "--basemap-url", defaultValue = "${env:STREETCAD_BASEMAP_URL}", paramLabel = "URL",
            description = "Raster tile URL template ({z}/{x}/{y}) the web map may show under the cadastre; "
                    + "none by default, since the control room has no internet. Env: STREETCAD_BASEMAP_URL.")
    String basemapUrl;

    @Option(names = "--public-read", defaultValue = "${env:STREETCAD_PUBLIC_READ:-true}", arity = "0..1", fallbackValue = "true",
            paramLabel = "true|false", description = "Whether anyone may read the cadastre (default: ${DEFAULT-VALUE}); "
                    + "false asks every route but /health and /ready for at least the viewer role. Env: STREETCAD_PUBLIC_READ.")
    boolean publicRead;

    @Option(names = "--public-url", defaultValue = "${env:STREETCAD_PUBLIC_URL}", paramLabel = "URL",
            description = "The URL clients reach StreetCad at (e.g. https://gis.example.org/streetcad), for links in "
                    + "answers. Without it, links use the address the client connected to, or a trusted proxy's "
                    + "Forwarded / X-Forwarded-* headers. Env: STREETCAD_PUBLIC_URL.")
    String publicUrl;

    @Option(names = "--trusted-proxies", defaultValue = "${env:STREETCAD_TRUSTED_PROXIES:-}", split = ",", paramLabel = "ADDR",
            description = "Addresses of reverse proxies whose Forwarded / X-Forwarded-* headers are believed (comma-separated; "
                    + "none by default). Env: STREETCAD_TRUSTED_PROXIES.")
    List<String> trustedProxies = new ArrayList<>();

    @Option(names = "--write-origins", defaultValue = "${env:STREETCAD_WRITE_ORIGINS:-}", split = ",", paramLabel = "ORIGIN",
            description = "Origins of other web applications whose pages may send changes (with an API key or token), "
                    + "e.g. https://lavori.comune.fi.it; none by default. Env: STREETCAD_WRITE_ORIGINS.")
    List<String> writeOrigins = new ArrayList<>();

    @Option(names = "--session-idle", defaultValue = "${env:STREETCAD_SESSION_IDLE_MINUTES:-30}", paramLabel = "MINUTES",
            description = "A web session ends after this long unused (default: ${DEFAULT-VALUE}). Env: STREETCAD_SESSION_IDLE_MINUTES.")
    long sessionIdleMinutes;

    @Option(names = "--session-max", defaultValue = "${env:STREETCAD_SESSION_MAX_HOURS:-10}", paramLabel = "HOURS",
            description = "… and this long after sign-in (default: ${DEFAULT-VALUE}). Env: STREETCAD_SESSION_MAX_HOURS.")
    long sessionMaxHours;

    @Option(names = "--sso-issuer", defaultValue = "${env:STREETCAD_SSO_ISSUER}", paramLabel = "URL",
            description = "Single sign-on: the identity provider's issuer (iss); with --sso-audience and --sso-jwks-url, "
                    + "its bearer JWTs are accepted. Env: STREETCAD_SSO_ISSUER.")
    String ssoIssuer;

    @Option(names = "--sso-audience", defaultValue = "${env:STREETCAD_SSO_AUDIENCE}", paramLabel = "AUD",
            description = "Single sign-on: the audience (aud) tokens must be for. Env: STREETCAD_SSO_AUDIENCE.")
    String ssoAudience;

    @Option(names = "--sso-jwks-url", defaultValue = "${env:STREETCAD_SSO_JWKS_URL}", paramLabel = "URL",
            description = "Single sign-on: where the provider publishes its signing keys. Env: STREETCAD_SSO_JWKS_URL.")
    String ssoJwksUrl;

    @Option(names = "--sso-roles-claim", defaultValue = "${env:STREETCAD_SSO_ROLES_CLAIM:-roles}", paramLabel = "CLAIM",
            description = "Single sign-on: the claim with StreetCad role names (default: ${DEFAULT-VALUE}). Env: STREETCAD_SSO_ROLES_CLAIM.")
    String ssoRolesClaim;

    @Option(names = "--sso-org-claim", defaultValue = "${env:STREETCAD_SSO_ORG_CLAIM}", paramLabel = "CLAIM",
            description = "Single sign-on: the claim with the organisation, if any. Env: STREETCAD_SSO_ORG_CLAIM.")
    String ssoOrgClaim;

    @Option(names = "--warm-up", defaultValue = "${env:STREETCAD_WARM_UP_SECONDS:-0}", paramLabel = "SECONDS",
            description = "Before /ready says ready, the server asks itself its most common requests until the JIT has "
                    + "compiled them, for at most this long (default: ${DEFAULT-VALUE}, ready at once and slower for the "
                    + "first half-minute; 30 behind a load balancer). Env: STREETCAD_WARM_UP_SECONDS.")
    int warmUpSeconds;

    /** Applied by {@link Main#logFormat} before logging starts; declared here for --help and validation. */
    @Option(names = "--log-format", defaultValue = "${env:STREETCAD_LOG_FORMAT:-text}", paramLabel = "text|json",
            description = "Log lines as text or as one JSON object each, with the request id and client address of "
                    + "the request they belong to (default: ${DEFAULT-VALUE}). Env: STREETCAD_LOG_FORMAT.")
    LogFormat logFormat;

    enum LogFormat { text, json }

    @Override
    public Integer call() throws InterruptedException {
        if (basemapUrl != null && !basemapUrl.isBlank() && !WebMapModule.isTileTemplate(basemapUrl)) {
            throw new UserFacingException("--basemap-url must be an http(s) tile URL template with {z}, {x} and {y}, "
                    + "for example https://tiles.example.org/{z}/{x}/{y}.png; got " + basemapUrl + ".");
        }
        StreetCadServer server = StreetCadServer.start(new ServerSettings(databaseSettings(), host, port,
                stopTimeoutSeconds * 1000L, new ImportSettings(maxUploadMegabytes << 20, loadSample), basemapUrl,
                access(), links(), Duration.ofSeconds(warmUpSeconds)));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            // The access log's own thread (logback.xml) writes the lines still queued before the JVM exits.
            if (LoggerFactory.getILoggerFactory() instanceof LoggerContext logging) logging.stop();
            stopped.countDown();
        }, "streetcad-shutdown"));
        stopped.await();
        return 0;
    }

    private DatabaseSettings databaseSettings() {
        DatabaseSettings primary = database.settings();
        try {
            return new DatabaseSettings(primary.dbUrl(), primary.dataDir(), primary.storageSrid(), primary.maxConnections(),
                    dbReadUrl);
        } catch (IllegalArgumentException e) {
            throw new UserFacingException(e.getMessage() + ".");
        }
    }

    private PublicBaseUrl links() {
        try {
            return new PublicBaseUrl(publicUrl, trustedProxies == null ? List.of() : trustedProxies);
        } catch (IllegalArgumentException e) {
            throw new UserFacingException("--public-url / --trusted-proxies: " + e.getMessage() + ".");
        }
    }

    private AccessSettings access() {
        JwtSettings sso = null;
        if (ssoIssuer != null || ssoAudience != null || ssoJwksUrl != null) {
            try {
                sso = new JwtSettings(ssoIssuer, ssoAudience, ssoJwksUrl == null ? null : URI.create(ssoJwksUrl),
                        ssoRolesClaim, ssoOrgClaim);
            } catch (IllegalArgumentException e) {
                throw new UserFacingException("--sso-issuer, --sso-audience and --sso-jwks-url go together: " + e.getMessage() + ".");
            }
        }
        if (sessionIdleMinutes < 1 || sessionMaxHours < 1) {
            throw new UserFacingException("--session-idle and --session-max must be at least 1.");
        }
        return new AccessSettings(publicRead, Duration.ofMinutes(sessionIdleMinutes), Duration.ofHours(sessionMaxHours),
                writeOrigins == null ? List.of() : writeOrigins.stream().filter(o -> !o.isBlank()).toList(), sso);
    }
}
