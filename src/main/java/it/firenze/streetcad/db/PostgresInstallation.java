package it.firenze.streetcad.db;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The PostgreSQL server binaries and PostGIS extension this machine has. Looked up the way Debian lays
 * them out ({@code pg_config --bindir}, then {@code /usr/lib/postgresql/N/bin}, newest first), so that
 * StreetCad runs its private cluster with what the system package manager installed.
 */
public record PostgresInstallation(Path binDir, int majorVersion) {

    private static final Path DEBIAN_ROOT = Path.of("/usr/lib/postgresql");

    public static PostgresInstallation find() {
        List<Path> candidates = new ArrayList<>();
        pgConfigBinDir().ifPresent(candidates::add);
        if (Files.isDirectory(DEBIAN_ROOT)) {
            try (Stream<Path> versions = Files.list(DEBIAN_ROOT)) {
                versions.filter(p -> p.getFileName().toString().matches("\\d+"))
                        .sorted(Comparator.comparingInt((Path p) -> Integer.parseInt(p.getFileName().toString())).reversed())
                        .map(p -> p.resolve("bin"))
                        .forEach(candidates::add);
            } catch (IOException ignored) {
                // an unreadable /usr/lib/postgresql is the same as none: the message below says what to install
            }
        }
        for (Path bin : candidates) {
            if (Files.isExecutable(bin.resolve("initdb")) && Files.isExecutable(bin.resolve("pg_ctl"))) {
                int major = majorVersionOf(bin);
                if (!hasPostgis(bin, major)) {
                    throw new DatabaseUnavailableException("PostgreSQL " + major + " is installed in " + bin
                            + " but PostGIS is not. Install it (Debian/Ubuntu: apt-get install postgresql-" + major
                            + "-postgis-3) or point StreetCad at an existing PostGIS with --db-url.");
                }
                return new PostgresInstallation(bin, major);
            }
        }
        throw new DatabaseUnavailableException("No PostgreSQL server was found (looked for initdb via pg_config and in "
                + DEBIAN_ROOT + "/*/bin). Install PostgreSQL and PostGIS (Debian/Ubuntu: apt-get install postgresql "
                + "postgresql-15-postgis-3, or the version your release has) or point StreetCad at an existing "
                + "PostGIS with --db-url.");
    }

    public Path tool(String name) {
        return binDir.resolve(name);
    }

    private static java.util.Optional<Path> pgConfigBinDir() {
        try {
            Process p = new ProcessBuilder("pg_config", "--bindir").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0 && !out.isEmpty()) {
                return java.util.Optional.of(Path.of(out));
            }
        } catch (IOException e) {
            // no pg_config on the PATH: fall back to the Debian layout
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return java.util.Optional.empty();
    }

    private static int majorVersionOf(Path bin) {
        String dir = bin.getParent() == null ? "" : bin.getParent().getFileName().toString();
        if (dir.matches("\\d+")) return Integer.parseInt(dir);
        try {
            Process p = new ProcessBuilder(bin.resolve("postgres").toString(), "--version").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(10, TimeUnit.SECONDS);
            var m = java.util.regex.Pattern.compile("(\\d+)(\\.\\d+)?").matcher(out);
            if (m.find()) return Integer.parseInt(m.group(1));
        } catch (IOException e) {
            // fall through to the unknown version
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    private static boolean hasPostgis(Path bin, int major) {
        List<Path> extensionDirs = List.of(
                Path.of("/usr/share/postgresql/" + major + "/extension"),
                bin.getParent().resolve("share/extension"),
                bin.getParent().resolve("share/postgresql/extension"));
        return extensionDirs.stream().anyMatch(d -> Files.exists(d.resolve("postgis.control")));
    }
}
