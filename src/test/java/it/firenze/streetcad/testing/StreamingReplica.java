package it.firenze.streetcad.testing;

import it.firenze.streetcad.db.DatabaseUrl;
import it.firenze.streetcad.db.EmbeddedPostgres;
import it.firenze.streetcad.db.PostgresInstallation;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A hot-standby PostgreSQL streaming from an embedded cluster, on loopback, as a production replica does:
 * {@code pg_basebackup -R -X stream} of the primary, started on a port of its own. Tests pause and resume its replay
 * to tell what was read from it from what was read from the primary.
 */
public final class StreamingReplica implements AutoCloseable {

    private final Path dir;
    private final int port;
    private final DatabaseUrl primary;

    private StreamingReplica(Path dir, int port, DatabaseUrl primary) {
        this.dir = dir;
        this.port = port;
        this.primary = primary;
    }

    /** Copies the primary (initdb's pg_hba allows replication from loopback) and starts the copy as its standby. */
    public static StreamingReplica of(EmbeddedPostgres primary, Path dir) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        if (root()) run(List.of("chown", "postgres:postgres", dir.toString()), false);
        DatabaseUrl url = primary.url();
        run(List.of("env", "PGPASSWORD=" + url.password(), tool("pg_basebackup"), "-h", "127.0.0.1", "-p",
                Integer.toString(primary.port()), "-U", url.user(), "-D", dir.toString(), "-R", "-X", "stream", "-c", "fast"), true);
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        run(List.of(tool("pg_ctl"), "-D", dir.toString(), "-l", dir.resolve("server.log").toString(), "-w", "-t", "60",
                "-o", "-p " + port + " -c listen_addresses=127.0.0.1 -c unix_socket_directories=''", "start"), true);
        return new StreamingReplica(dir, port, url);
    }

    /** The same database on the replica, with the primary's credentials (a physical copy has the same roles). */
    public DatabaseUrl url(String database) {
        return new DatabaseUrl("jdbc:postgresql://127.0.0.1:" + port + "/" + database, primary.user(), primary.password());
    }

    /** Stops applying the primary's changes: the replica keeps answering with what it had. */
    public void pauseReplay(String database) throws SQLException {
        sql(database, "SELECT pg_wal_replay_pause()");
    }

    public void resumeReplay(String database) throws SQLException {
        sql(database, "SELECT pg_wal_replay_resume()");
    }

    private void sql(String database, String sql) throws SQLException {
        DatabaseUrl u = url(database);
        try (var c = DriverManager.getConnection(u.jdbcUrl(), u.user(), u.password()); var st = c.createStatement()) {
            st.execute(sql);
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        run(List.of(tool("pg_ctl"), "-D", dir.toString(), "-m", "fast", "-w", "stop"), true);
    }

    private static String tool(String name) {
        return PostgresInstallation.find().tool(name).toString();
    }

    private static boolean root() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static void run(List<String> args, boolean asPostgres) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        if (asPostgres && root()) command.addAll(List.of("runuser", "-u", "postgres", "--"));
        command.addAll(args);
        Path out = Files.createTempFile("replica", ".out");
        try {
            // Output to a file: pg_ctl start leaves a server behind that must not hold a pipe of ours.
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IOException(args.get(args.size() > 2 && args.getFirst().equals("env") ? 2 : 0) + " failed: "
                        + Files.readString(out));
            }
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
