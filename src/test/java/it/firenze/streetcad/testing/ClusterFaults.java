package it.firenze.streetcad.testing;

import it.firenze.streetcad.db.EmbeddedPostgres;
import it.firenze.streetcad.db.PostgresInstallation;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Stops and starts an embedded cluster the way an outage does: {@code pg_ctl -m immediate stop} (connections cut,
 * no checkpoint, as a crash), then a start on the same port so that pools find it again. Used on a cluster of the
 * test's own, never the shared one.
 */
public final class ClusterFaults {

    private final EmbeddedPostgres cluster;

    public ClusterFaults(EmbeddedPostgres cluster) {
        this.cluster = cluster;
    }

    public void crash() throws IOException, InterruptedException {
        pgCtl("-m", "immediate", "-w", "stop");
    }

    public void start() throws IOException, InterruptedException {
        pgCtl("-w", "-t", "60", "-l", cluster.clusterDir().resolve("server.log").toString(), "-o",
                "-p " + cluster.port() + " -c listen_addresses=127.0.0.1 -c unix_socket_directories=''", "start");
    }

    private void pgCtl(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        if ("root".equals(System.getProperty("user.name"))) command.addAll(List.of("runuser", "-u", "postgres", "--"));
        command.add(PostgresInstallation.find().tool("pg_ctl").toString());
        command.addAll(List.of("-D", cluster.clusterDir().toString()));
        command.addAll(List.of(args));
        Path out = Files.createTempFile("pg_ctl", ".out");
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!p.waitFor(90, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("pg_ctl " + String.join(" ", args) + " failed: " + Files.readString(out));
            }
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
