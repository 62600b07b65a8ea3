package it.firenze.streetcad.db;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * StreetCad's private PostgreSQL + PostGIS cluster, for when no database URL is configured.
 *
 * <p>The cluster lives in {@code <dataDir>/postgres}, is created on first use and listens only on a free
 * loopback port chosen at each start, so it never collides with the machine's own clusters. PostgreSQL
 * refuses to run as root; when StreetCad is root (CI and these machines) every server command runs as the
 * unprivileged {@code postgres} system user, which then owns the cluster directory. Access needs a password
 * generated at creation and kept, readable only by the owner, beside the cluster.
 *
 * <p>Several StreetCad processes may use one data directory (a server, and a CLI import beside it). The process
 * that starts the cluster publishes its port and its own pid in {@code <dataDir>/postgres.run}; a process that
 * finds the publisher alive uses that cluster as it is and never stops it. A cluster whose publisher is dead was
 * left behind by a killed StreetCad and is restarted. The last StreetCad to leave stops the cluster: an owner that
 * closes while other StreetCad processes are still connected hands the cluster to one of them instead.
 */
public final class EmbeddedPostgres implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPostgres.class);
    /**
     * WAL settings for an import's commit, one transaction that writes about 1.5 GB of WAL for a million elements.
     * With PostgreSQL's defaults (max_wal_size 1 GB, wal_buffers 4 MB at the default shared_buffers) that commit
     * forced three checkpoints and its backend wrote and fsynced the WAL itself whenever the 4 MB were full; with
     * these, the checkpoints wait for the next timed one and the WAL writer writes behind it (BENCHMARKS.md, issue 17
     * session 9). The price is up to about 4 GB of pg_wal between checkpoints.
     */
    private static final String WRITE_SETTINGS = "-c max_wal_size=4GB -c wal_buffers=64MB";
    static final String SUPERUSER = "streetcad";
    static final String DATABASE = "streetcad";
    static final String RUN_FILE = "postgres.run";

    private final PostgresInstallation installation;
    private final Path clusterDir;
    private final Path passwordFile;
    private final Path runFile;
    /** runuser, when StreetCad is root and so runs the server tools as the postgres user; null otherwise. */
    private final Path runuser;
    private int port = -1;
    /** Whether this process started the cluster (and so stops it), rather than using one another StreetCad runs. */
    private boolean owner;

    private EmbeddedPostgres(PostgresInstallation installation, Path dataDir) {
        this.installation = installation;
        this.clusterDir = dataDir.resolve("postgres");
        this.passwordFile = dataDir.resolve("postgres.password");
        this.runFile = dataDir.resolve(RUN_FILE);
        this.runuser = isRoot() ? runuser(System.getenv("PATH"), SBIN) : null;
    }

    /** Creates the cluster if it does not exist yet, starts it and makes sure the StreetCad database exists. */
    public static EmbeddedPostgres start(Path dataDir) {
        EmbeddedPostgres pg = new EmbeddedPostgres(PostgresInstallation.find(), dataDir.toAbsolutePath().normalize());
        pg.startCluster();
        return pg;
    }

    public DatabaseUrl url() {
        if (port < 0) throw new IllegalStateException("the embedded cluster is not running");
        return new DatabaseUrl("jdbc:postgresql://127.0.0.1:" + port + "/" + DATABASE, SUPERUSER, password());
    }

    /**
     * The URL the server connects with: the unprivileged {@link ApplicationRole}, whose password is generated on first
     * use and kept, readable only by the owner, beside the cluster.
     */
    DatabaseUrl applicationUrl() {
        DatabaseUrl main = url();
        return new DatabaseUrl(main.jdbcUrl(), ApplicationRole.NAME, applicationPassword());
    }

    String applicationPassword() {
        Path file = passwordFile.resolveSibling("app.password");
        try {
            if (!Files.exists(file)) {
                Path fresh = passwordFile.resolveSibling("app.password.new");
                Files.deleteIfExists(fresh);
                Files.createFile(fresh, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                Files.writeString(fresh, HexFormat.of().formatHex(new SecureRandom().generateSeed(16)), StandardCharsets.UTF_8);
                Files.move(fresh, file);
            }
            return Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new DatabaseUnavailableException("The application role's password in " + file + " could not be read or made: "
                    + e.getMessage(), e);
        }
    }

    /** A URL to another database of the same cluster (tests use one database per test class). */
    public DatabaseUrl url(String database) {
        DatabaseUrl main = url();
        return new DatabaseUrl(main.jdbcUrl().replaceFirst("/" + DATABASE + "$", "/" + database), main.user(), main.password());
    }

    public int port() {
        return port;
    }

    public Path clusterDir() {
        return clusterDir;
    }

    /** Whether this process started the cluster; false when it uses one another live StreetCad process runs. */
    public boolean owner() {
        return owner;
    }

    private void startCluster() {
        try {
            Files.createDirectories(clusterDir.getParent());
            // One process at a time decides whether to start the cluster or use the running one.
            try (var channel = FileChannel.open(clusterDir.getParent().resolve("postgres.lock"),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 var lock = channel.lock()) {
                var running = RunningCluster.read(runFile).filter(r -> r.ownerAlive() && Files.exists(clusterDir.resolve("postmaster.pid")));
                if (running.isPresent()) {
                    port = running.get().port();
                    owner = false;
                    LOG.info("using the embedded PostgreSQL that StreetCad process " + running.get().ownerPid()
                            + " runs on 127.0.0.1:" + port + " (it keeps running when this process ends)");
                    return;
                }
                startOwnCluster();
            }
        } catch (IOException e) {
            throw new DatabaseUnavailableException("The embedded PostgreSQL in " + clusterDir + " could not be prepared: "
                    + e.getMessage(), e);
        }
    }

    private void startOwnCluster() throws IOException {
        if (!Files.exists(clusterDir.resolve("PG_VERSION"))) {
            initialise();
        }
        stopLeftoverServer();
        IOException lastFailure = null;
        // A free port can be taken between choosing it and binding it: try a few.
        for (int attempt = 0; attempt < 3 && port < 0; attempt++) {
            int candidate = freeLoopbackPort();
            try {
                run(List.of(tool("pg_ctl"), "-D", clusterDir.toString(), "-l", clusterDir.resolve("server.log").toString(),
                        "-w", "-t", "60", "-o", "-p " + candidate + " -c listen_addresses=127.0.0.1 -c unix_socket_directories='' "
                                + WRITE_SETTINGS, "start"));
                port = candidate;
            } catch (IOException e) {
                lastFailure = e;
            }
        }
        if (port < 0) {
            throw new DatabaseUnavailableException("The embedded PostgreSQL in " + clusterDir + " did not start: "
                    + lastFailure.getMessage() + " See " + clusterDir.resolve("server.log") + ".", lastFailure);
        }
        createDatabaseIfMissing();
        owner = true;
        new RunningCluster(port, ProcessHandle.current().pid()).write(runFile);
        LOG.info("embedded PostgreSQL " + installation.majorVersion() + " running on 127.0.0.1:" + port + " with data in " + clusterDir);
    }

    /**
     * Creates the cluster in a scratch directory and renames it into place only when initdb succeeded,
     * so that an interrupted first start leaves nothing half-made behind.
     */
    private void initialise() throws IOException {
        Path dataDir = clusterDir.getParent();
        Path scratch = dataDir.resolve("postgres.initdb");
        deleteRecursively(scratch);
        Files.createDirectories(scratch);
        String password = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
        Files.writeString(passwordFile, password, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(passwordFile, PosixFilePermissions.fromString("rw-------"));
        Path pwfile = dataDir.resolve("postgres.initdb-password");
        Files.writeString(pwfile, password, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(pwfile, PosixFilePermissions.fromString("rw-------"));
        try {
            if (runuser != null) {
                Files.setPosixFilePermissions(dataDir, PosixFilePermissions.fromString("rwxr-xr-x"));
                runAsSelf(List.of("chown", "postgres:postgres", scratch.toString(), pwfile.toString()));
                requireAccessibleToPostgresUser(scratch);
            }
            run(List.of(tool("initdb"), "-D", scratch.toString(), "-U", SUPERUSER, "--pwfile=" + pwfile,
                    "--auth=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8", "--no-instructions"));
        } finally {
            Files.deleteIfExists(pwfile);
        }
        Files.move(scratch, clusterDir);
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }

    private void requireAccessibleToPostgresUser(Path dir) throws IOException {
        try {
            run(List.of("test", "-w", dir.toString()));
        } catch (IOException e) {
            throw new DatabaseUnavailableException("The embedded PostgreSQL runs as the 'postgres' user, who cannot reach "
                    + dir + ": a parent directory is closed to other users. Choose a --data-dir under a directory "
                    + "others can traverse (for example /var/lib/streetcad) or open the parents with chmod o+x.");
        }
    }

    private void stopLeftoverServer() {
        if (!Files.exists(clusterDir.resolve("postmaster.pid"))) return;
        try {
            // A StreetCad that was killed leaves its server running (no live process published it): stop it, we
            // pick a fresh port anyway.
            run(List.of(tool("pg_ctl"), "-D", clusterDir.toString(), "-m", "fast", "-w", "stop"));
        } catch (IOException e) {
            // Not running (a stale pid file): pg_ctl start deals with that.
        }
    }

    private void createDatabaseIfMissing() throws IOException {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", SUPERUSER, password());
             var st = c.createStatement()) {
            try (var rs = st.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + DATABASE + "'")) {
                if (!rs.next()) st.execute("CREATE DATABASE " + DATABASE);
            }
        } catch (SQLException e) {
            throw new IOException("creating the database failed: " + e.getMessage(), e);
        }
    }

    /** Creates an empty database in this cluster (for tests and tools that need one of their own). */
    public void createDatabase(String name) {
        if (!name.matches("[a-z_][a-z0-9_]*")) throw new IllegalArgumentException("bad database name " + name);
        try (Connection c = DriverManager.getConnection(url().jdbcUrl(), SUPERUSER, password()); var st = c.createStatement()) {
            st.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new DatabaseUnavailableException("creating database " + name + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        if (port < 0) return;
        try {
            if (!owner) return;
            var heir = otherStreetCadProcess();
            if (heir.isPresent()) {
                new RunningCluster(port, heir.getAsLong()).write(runFile);
                LOG.info("embedded PostgreSQL left running for StreetCad process " + heir.getAsLong() + ", still using it");
                return;
            }
            run(List.of(tool("pg_ctl"), "-D", clusterDir.toString(), "-m", "fast", "-w", "-t", "60", "stop"));
            Files.deleteIfExists(runFile);
            LOG.info("embedded PostgreSQL stopped");
        } catch (IOException e) {
            LOG.warn("stopping the embedded PostgreSQL failed: " + e.getMessage());
        } finally {
            port = -1;
        }
    }

    /**
     * What runs on a data directory, for {@code streetcad status}: whether the cluster exists, whether it runs and for
     * which StreetCad process, and which StreetCad processes use it now. Starts and stops nothing.
     */
    public static List<String> status(Path dataDir) {
        EmbeddedPostgres pg = new EmbeddedPostgres(null, dataDir.toAbsolutePath().normalize());
        List<String> lines = new ArrayList<>();
        lines.add("data directory: " + dataDir.toAbsolutePath().normalize());
        if (!Files.exists(pg.clusterDir.resolve("PG_VERSION"))) {
            lines.add("embedded PostgreSQL: none yet (created by the first streetcad serve, import, ... on this directory)");
            return lines;
        }
        Optional<RunningCluster> running = RunningCluster.read(pg.runFile);
        if (running.isEmpty() || !Files.exists(pg.clusterDir.resolve("postmaster.pid"))) {
            lines.add("embedded PostgreSQL: stopped");
            return lines;
        }
        RunningCluster r = running.get();
        lines.add("embedded PostgreSQL: on 127.0.0.1:" + r.port() + ", started for StreetCad process " + r.ownerPid()
                + (r.ownerAlive() ? " " + describe(r.ownerPid()) : " (dead: the next StreetCad start restarts the cluster)"));
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + r.port() + "/" + DATABASE, SUPERUSER, pg.password());
             var st = c.prepareStatement("SELECT application_name, count(*) FROM pg_stat_activity WHERE application_name LIKE ? "
                     + "GROUP BY 1 ORDER BY 1")) {
            st.setString(1, DatabaseUrl.APPLICATION + ":%");
            try (var rs = st.executeQuery()) {
                while (rs.next()) {
                    String name = rs.getString(1);
                    if (name.equals(DatabaseUrl.APPLICATION + ":" + ProcessHandle.current().pid())) continue;
                    String pid = name.substring(name.indexOf(':') + 1);
                    lines.add("used by StreetCad process " + pid + " " + describe(Long.parseLong(pid)) + ", " + rs.getInt(2) + " connections");
                }
            }
        } catch (SQLException | RuntimeException e) {
            lines.add("the cluster does not answer: " + Database.rootMessage(e));
        }
        return lines;
    }

    private static String describe(long pid) {
        var args = ProcessHandle.of(pid).flatMap(p -> p.info().arguments()).map(List::of).orElse(List.of());
        int jar = args.indexOf("-jar");
        return jar >= 0 && args.size() > jar + 2 ? "(" + String.join(" ", args.subList(jar + 2, args.size())) + ")" : "";
    }

    /** A live StreetCad process other than this one connected to the cluster (they name themselves, see DatabaseUrl). */
    private OptionalLong otherStreetCadProcess() {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", SUPERUSER, password());
             var st = c.prepareStatement("SELECT DISTINCT application_name FROM pg_stat_activity WHERE application_name LIKE ?")) {
            st.setString(1, DatabaseUrl.APPLICATION + ":%");
            long self = ProcessHandle.current().pid();
            try (var rs = st.executeQuery()) {
                while (rs.next()) {
                    String name = rs.getString(1);
                    try {
                        long pid = Long.parseLong(name.substring(name.indexOf(':') + 1));
                        if (pid != self && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                            return OptionalLong.of(pid);
                        }
                    } catch (NumberFormatException e) {
                        // Not one of ours.
                    }
                }
            }
        } catch (SQLException e) {
            LOG.debug("could not list the cluster's other users: {}", e.getMessage());
        }
        return OptionalLong.empty();
    }

    private String password() {
        try {
            return Files.readString(passwordFile, StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new DatabaseUnavailableException("The embedded cluster's password file " + passwordFile
                    + " is missing or unreadable; remove " + clusterDir + " to create a new cluster.", e);
        }
    }

    private String tool(String name) {
        return installation.tool(name).toString();
    }

    /** Runs a server tool, as the postgres user when StreetCad is root. */
    private void run(List<String> command) throws IOException {
        List<String> full = new ArrayList<>();
        if (runuser != null) full.addAll(List.of(runuser.toString(), "-u", "postgres", "--"));
        full.addAll(command);
        runAsSelf(full);
    }

    private static void runAsSelf(List<String> command) throws IOException {
        // Output goes to a file, not a pipe: pg_ctl start leaves a server behind that must not hold our pipe.
        Path output = Files.createTempFile("streetcad-pg", ".out");
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not finish in 120 s");
            }
            if (p.exitValue() != 0) {
                throw new IOException(Path.of(commandName(command)).getFileName() + " failed (exit " + p.exitValue() + "): "
                        + Files.readString(output, StandardCharsets.UTF_8).strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + commandName(command), e);
        } finally {
            Files.deleteIfExists(output);
        }
    }

    private static String commandName(List<String> command) {
        int i = command.indexOf("--");
        return command.get(i >= 0 ? i + 1 : 0);
    }

    private static int freeLoopbackPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** The sbin directories a login shell's root PATH has on Debian, which a bare environment (env -i, cron) lacks. */
    private static final List<String> SBIN = List.of("/usr/sbin", "/sbin");

    /**
     * runuser (util-linux) from PATH, else from the fallback directories: without it a root StreetCad cannot start
     * the cluster, and the tool's own "cannot run program" would be read as a directory closed to postgres.
     */
    static Path runuser(String path, List<String> fallbacks) {
        List<String> dirs = new ArrayList<>(path == null ? List.of() : List.of(path.split(":")));
        dirs.addAll(fallbacks);
        for (String dir : dirs) {
            if (dir.isEmpty()) continue;
            Path candidate = Path.of(dir, "runuser");
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) return candidate;
        }
        throw new DatabaseUnavailableException("StreetCad runs as root, so it starts the embedded PostgreSQL as the "
                + "'postgres' user with runuser (util-linux), which is neither on PATH nor in " + String.join(" or ",
                fallbacks) + ": install util-linux (apt-get install util-linux) or run StreetCad as another user.");
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }
}
