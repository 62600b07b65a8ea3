package it.firenze.streetcad.db;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A root StreetCad finds runuser even from a bare environment, and says so plainly when there is none. */
class RunuserLookupTest {

    @Test
    void givenAPathWithRunuserThenThatOneIsTaken(@TempDir Path dir) throws Exception {
        Path mine = executable(dir.resolve("runuser"));
        assertEquals(mine, EmbeddedPostgres.runuser("/nonexistent:" + dir, List.of("/usr/sbin", "/sbin")));
    }

    @Test
    void givenAPathWithoutTheSbinDirectoriesThenTheFallbackIsTaken(@TempDir Path dir) throws Exception {
        Path fallback = Files.createDirectory(dir.resolve("sbin"));
        Path runuser = executable(fallback.resolve("runuser"));
        assertEquals(runuser, EmbeddedPostgres.runuser("/usr/local/bin:/usr/bin:/bin", List.of(fallback.toString())));
    }

    @Test
    void givenNoRunuserAnywhereThenTheErrorNamesItAndItsPackage(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("runuser"), "not executable");
        var e = assertThrows(DatabaseUnavailableException.class,
                () -> EmbeddedPostgres.runuser(dir.toString(), List.of(dir.resolve("none").toString())));
        assertTrue(e.getMessage().contains("runuser (util-linux)"), e.getMessage());
        assertTrue(e.getMessage().contains("apt-get install util-linux"), e.getMessage());
    }

    private static Path executable(Path file) throws Exception {
        Files.writeString(file, "#!/bin/sh\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }
}
