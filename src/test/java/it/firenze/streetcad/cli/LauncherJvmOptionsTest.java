package it.firenze.streetcad.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The JVM options the launchers give. The serving JVM's live in one JDK argument file, {@code scripts/serve.jvmopts},
 * and every way of starting a server uses it: {@code scripts/run.sh}, {@code ./streetcad serve}, the AOT cache's
 * training run and the Docker image. An import's JIT follows its layer's size ({@code scripts/import-jit.sh}). The
 * shell launchers are run for real from a copy of the scripts, with a stand-in {@code java} that writes down the
 * arguments it was given; the file itself is read by the real JVM.
 */
class LauncherJvmOptionsTest {

    private static final String C1_ALONE = "-XX:TieredStopAtLevel=1";

    private static final Path OPTIONS = Path.of("scripts", "serve.jvmopts");

    /** A clone's directory as a user may name it: each path the launchers pass on must stay one argument. */
    private static final String CLONE_WITH_SPACES = "street cad clone";

    @Test
    void theRealJvmTakesEveryOptionOfTheFileFromTheCommandLine() throws Exception {
        List<String> flags = Files.readAllLines(OPTIONS).stream().map(String::strip)
                .filter(line -> line.startsWith("-XX:")).toList();
        assertFalse(flags.isEmpty(), "scripts/serve.jvmopts names no -XX option");

        String java = ProcessHandle.current().info().command().orElse("java");
        String out = run(Map.of(), java, "@" + OPTIONS.toAbsolutePath(), "-XX:+PrintFlagsFinal", "-version");

        for (String flag : flags) {
            String name = flag.substring(4).replaceFirst("^[+-]", "").replaceFirst("=.*", "");
            assertTrue(out.lines().anyMatch(l -> l.matches("\\s*\\S+\\s+" + name + "\\s+=.*\\{command line\\}")),
                    name + " is not set from the command line:\n" + out);
        }
    }

    @Test
    void streetcadServeAndItsTrainingRunStartTheJvmWithTheFile(@TempDir Path temp) throws Exception {
        Path copy = temp.resolve(CLONE_WITH_SPACES);
        Path fakeJdk = fakeJdk(copy);
        Path optionsFile = copy.resolve("scripts/serve.jvmopts");

        String serve = run(Map.of("JAVA_HOME", fakeJdk.toString()), "bash", copy.resolve("streetcad").toString(),
                "serve", "--help");
        List<String> args = args(serve);
        assertEquals("@" + optionsFile, args.getFirst(), serve);
        assertEquals(List.of("-jar", copy.resolve("target/streetcad.jar").toString(), "serve", "--help"),
                args.subList(args.size() - 4, args.size()), serve);

        String migrate = run(Map.of("JAVA_HOME", fakeJdk.toString()), "bash", copy.resolve("streetcad").toString(),
                "migrate", "--help");
        assertFalse(migrate.contains("serve.jvmopts"), "only a server runs with the serving options:\n" + migrate);
    }

    @Test
    void runShAndItsAotTrainingRunStartTheJvmWithTheFile(@TempDir Path temp) throws Exception {
        Path copy = temp.resolve(CLONE_WITH_SPACES);
        Path fakeJdk = fakeJdk(copy);
        String options = "@" + copy.resolve("scripts/serve.jvmopts");

        String out = run(Map.of("JAVA_HOME", fakeJdk.toString(), "STREETCAD_DATA_DIR", copy.resolve("data").toString(),
                "STREETCAD_JAVA_OPTS", "-Xmx2g"), "bash", copy.resolve("scripts/run.sh").toString(),
                "--host", "0.0.0.0", "--port=7272", "--warm-up", "5");
        List<String> served = args(out).subList(args(out).lastIndexOf(options), args(out).size());
        assertEquals(List.of(options, "-Xmx2g", "-jar", copy.resolve("target/streetcad.jar").toString(), "serve",
                "--host", "0.0.0.0", "--port=7272", "--warm-up", "5"), served,
                "the server: the file, then STREETCAD_JAVA_OPTS (which win over it)\n" + out);

        String training = Files.readString(copy.resolve("target/streetcad.aot.log"));
        List<String> trained = args(training);
        assertEquals(options, trained.getFirst(), training);
        assertTrue(trained.stream().anyMatch(a -> a.startsWith("-XX:AOTCacheOutput=")), training);
        // The server's own address is left to the server: the training run takes a loopback port of its own.
        assertEquals(List.of("serve", "--warm-up", "5"), trained.subList(trained.indexOf("serve"), trained.size()),
                training);
    }

    @Test
    void theDockerImageStartsItsJvmWithTheFileItsTrainingRunUsed() throws IOException {
        String dockerfile = Files.readString(Path.of("Dockerfile"));
        assertTrue(dockerfile.contains("COPY scripts/aot.sh scripts/serve.jvmopts scripts/"),
                "the training run's scripts/aot.sh finds the file beside it");
        assertTrue(dockerfile.contains("COPY scripts/serve.jvmopts serve.jvmopts"), "the image holds the file");
        assertTrue(dockerfile.contains("ENTRYPOINT [\"java\", \"@/opt/streetcad/serve.jvmopts\","),
                "the entry point's JVM reads it first");
    }

    @Test
    void anImportOfALayerBelow64MbRunsWithC1AloneWhereverItsPathIsAmongTheArguments(@TempDir Path temp)
            throws Exception {
        Path copy = temp.resolve(CLONE_WITH_SPACES);
        Path fakeJdk = fakeJdk(copy);
        Path folder = Files.createDirectories(temp.resolve("a city's roads"));
        Path layer = Files.write(folder.resolve("roads.SHP"), new byte[5_396_908]);

        for (List<String> command : List.of(List.of("import", layer.toString()),
                List.of("import", "--srid", "4326", "--mapping", "osm", folder.toString(), "--dry-run"))) {
            List<String> args = launch(copy, fakeJdk, Map.of(), command);
            assertEquals(List.of(C1_ALONE, "-jar", copy.resolve("target/streetcad.jar").toString()),
                    args.subList(0, 3), "a short JVM: C1 alone\n" + args);
            assertEquals(command, args.subList(3, args.size()));
        }
    }

    @Test
    void anImportOfALargerLayerAZipOrAChosenTierKeepsC2(@TempDir Path temp) throws Exception {
        Path copy = temp.resolve(CLONE_WITH_SPACES);
        Path fakeJdk = fakeJdk(copy);
        Path large = temp.resolve("region.shp");
        try (RandomAccessFile file = new RandomAccessFile(large.toFile(), "rw")) {
            file.setLength(64L * 1024 * 1024); // sparse: 64 MB as the launcher sees it, nothing written
        }
        Path small = Files.write(temp.resolve("district.shp"), new byte[1_000]);
        Path zip = Files.write(temp.resolve("district.zip"), new byte[1_000]);

        assertFalse(launch(copy, fakeJdk, Map.of(), List.of("import", large.toString())).contains(C1_ALONE),
                "from 64 MB on, the topology check runs long enough for C2's code to pay");
        assertFalse(launch(copy, fakeJdk, Map.of(), List.of("import", zip.toString())).contains(C1_ALONE),
                "a .zip's size says little about its layer");
        assertEquals(List.of("-XX:TieredStopAtLevel=4", "-jar"), launch(copy, fakeJdk,
                Map.of("STREETCAD_JAVA_OPTS", "-XX:TieredStopAtLevel=4"), List.of("import", small.toString()))
                .subList(0, 2), "a tier the user chose wins");
        assertFalse(launch(copy, fakeJdk, Map.of(), List.of("migrate", small.toString())).contains(C1_ALONE),
                "only an import chooses its JIT by the layer");
    }

    private static List<String> launch(Path copy, Path fakeJdk, Map<String, String> env, List<String> command)
            throws Exception {
        List<String> line = new ArrayList<>(List.of("bash", copy.resolve("streetcad").toString()));
        line.addAll(command);
        Map<String, String> environment = new java.util.HashMap<>(env);
        environment.put("JAVA_HOME", fakeJdk.toString());
        return args(run(environment, line.toArray(String[]::new)));
    }

    /**
     * A copy of the launchers with an empty jar, and a JDK whose {@code java} writes each argument on a line of its
     * own (and says it makes AOT caches, so that the training run starts). Returns the JDK's home.
     */
    private static Path fakeJdk(Path copy) throws IOException {
        Files.createDirectories(copy.resolve("scripts"));
        for (String script : List.of("streetcad", "scripts/run.sh", "scripts/setup.sh", "scripts/aot.sh",
                "scripts/serve.jvmopts", "scripts/import-jit.sh")) {
            Files.copy(Path.of(script), copy.resolve(script));
        }
        Files.createDirectories(copy.resolve("target"));
        Files.writeString(copy.resolve("target/streetcad.jar"), "");
        Path home = copy.resolve("jdk");
        Files.createDirectories(home.resolve("bin"));
        // Newer than any installed JDK, so that the launchers' search for a JDK picks this one.
        Files.writeString(home.resolve("release"), "JAVA_VERSION=\"99\"\n");
        String java = """
                #!/bin/sh
                case " $* " in *" -version "*) echo '     ccstr AOTCacheOutput = {product}'; exit 0;; esac
                for a in "$@"; do echo "arg: $a"; done
                """;
        for (String tool : List.of("java", "javac")) {
            Path file = home.resolve("bin").resolve(tool);
            Files.writeString(file, java);
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        return home;
    }

    private static List<String> args(String out) {
        List<String> args = new ArrayList<>();
        out.lines().filter(l -> l.startsWith("arg: ")).forEach(l -> args.add(l.substring(5)));
        return args;
    }

    private static String run(Map<String, String> env, String... command) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(env);
        Process process = builder.start();
        process.getOutputStream().close();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(2, TimeUnit.MINUTES), String.join(" ", command));
        assertEquals(0, process.exitValue(), out);
        return out;
    }
}
