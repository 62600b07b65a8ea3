package it.firenze.streetcad.db;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.Properties;

/**
 * What {@code <dataDir>/postgres.run} publishes about a running embedded cluster: its port and the StreetCad process
 * responsible for stopping it. The password stays in {@code postgres.password}, readable by its owner only.
 */
public record RunningCluster(int port, long ownerPid) {

    public static Optional<RunningCluster> read(Path file) {
        if (!Files.exists(file)) return Optional.empty();
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
            return Optional.of(new RunningCluster(Integer.parseInt(p.getProperty("port")), Long.parseLong(p.getProperty("pid"))));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    public boolean ownerAlive() {
        return ProcessHandle.of(ownerPid).map(ProcessHandle::isAlive).orElse(false);
    }

    /** Written whole and renamed into place, so that a reader never sees half a file. */
    void write(Path file) throws IOException {
        Properties p = new Properties();
        p.setProperty("port", Integer.toString(port));
        p.setProperty("pid", Long.toString(ownerPid));
        Path scratch = file.resolveSibling(file.getFileName() + ".new");
        try (Writer w = Files.newBufferedWriter(scratch)) {
            p.store(w, "the embedded PostgreSQL of this data directory, published by the StreetCad process that stops it");
        }
        Files.move(scratch, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
