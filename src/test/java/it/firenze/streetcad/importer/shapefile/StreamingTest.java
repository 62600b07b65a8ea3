package it.firenze.streetcad.importer.shapefile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Reading streams: the Florence sample (33,089 lines, 12 MB of .shp and .dbf) is read by a JVM whose whole heap is
 * 16 MB, which the decoded records would overflow several times over if any were retained.
 */
class StreamingTest {
    @Test
    void givenTheFlorenceSampleWhenReadWithASixteenMegabyteHeapThenEveryRecordIsReadWithoutRunningOut()
            throws Exception {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(List.of(java, "-Xmx16m", "-XX:+UseSerialGC", "-cp", classPath,
                ReadAll.class.getName(), FlorenceOracleTest.FLORENCE.toString())).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertEquals(0, process.waitFor(), output);
        assertTrue(output.startsWith("records=33089 deleted=0 coordinates="), output);
    }
}
