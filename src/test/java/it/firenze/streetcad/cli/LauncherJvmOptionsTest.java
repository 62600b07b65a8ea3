package it.firenze.streetcad.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import javax.tools.ToolProvider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The JVM options the launchers give. The serving JVM's live in one JDK argument file, {@code scripts/serve.jvmopts},
 * and every way of starting a server uses it: {@code scripts/run.sh}, {@code ./streetcad serve}, the AOT cache's
 * training run and the Docker image. An import's JIT follows its layer's size, and an import starts from the AOT
 * cache the first import after a build made ({@code scripts/import-jvm.sh}). The shell launchers are run for real
 * from a copy of the scripts, with a stand-in {@code java} that writes down the arguments it was given; the file
 * itself, and the import's AOT cache, are also run by the real JVM.
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
            assertEquals(C1_ALONE, args.getFirst(), "a short JVM: C1 alone\n" + args);
            int jar = args.indexOf("-jar");
            assertEquals(copy.resolve("target/streetcad.jar").toString(), args.get(jar + 1));
            assertEquals(command, args.subList(jar + 2, args.size()));
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
        List<String> chosen = launch(copy, fakeJdk, Map.of("STREETCAD_JAVA_OPTS", "-XX:TieredStopAtLevel=4"),
                List.of("import", small.toString()));
        assertEquals("-XX:TieredStopAtLevel=4", chosen.getFirst(), "a tier the user chose wins");
        assertFalse(chosen.contains(C1_ALONE), chosen.toString());
        assertFalse(launch(copy, fakeJdk, Map.of(), List.of("migrate", small.toString())).contains(C1_ALONE),
                "only an import chooses its JIT by the layer");
    }

    @Test
    void theFirstImportAfterABuildRecordsItsClassesAndTheNextOnesStartFromTheCacheMadeOfThem(@TempDir Path temp)
            throws Exception {
        Path copy = temp.resolve(CLONE_WITH_SPACES);
        Path fakeJdk = fakeJdk(copy);
        Path layer = Files.write(temp.resolve("district.shp"), new byte[1_000]);
        Path cache = copy.resolve("target/streetcad-import.aot");
        List<String> command = List.of("import", layer.toString(), "--dry-run");

        List<List<String>> first = invocations(launchOutput(copy, fakeJdk, Map.of(), command, 0));
        assertEquals(1, first.size(), first.toString());
        assertTrue(first.getFirst().contains("-XX:AOTMode=record"), first.toString());
        assertTrue(first.getFirst().containsAll(List.of("-jar", copy.resolve("target/streetcad.jar").toString())));
        // The making of the cache once the import has ended writes to the log only.
        List<List<String>> making = invocations(Files.readString(copy.resolve("target/streetcad-import.aot.log")));
        assertTrue(making.getLast().contains("-XX:AOTMode=create"), making.toString());
        assertTrue(Files.exists(cache), "the cache is made once the import has ended");
        try (var left = Files.list(copy.resolve("target"))) {
            assertEquals(List.of(), left.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".config") || n.endsWith(".tmp")).toList(), "nothing of the making left");
        }

        List<List<String>> next = invocations(launchOutput(copy, fakeJdk, Map.of(), command, 0));
        assertEquals(List.of(C1_ALONE, "-XX:AOTCache=" + cache, "-jar", copy.resolve("target/streetcad.jar").toString(),
                "import", layer.toString(), "--dry-run"), next.getFirst(), "one JVM, started from the cache");
        assertEquals(1, next.size());

        // A new build of the jar: its first import records again, and the old cache is not used meanwhile.
        Files.setLastModifiedTime(copy.resolve("target/streetcad.jar"),
                FileTime.fromMillis(System.currentTimeMillis() + 60_000));
        List<List<String>> rebuilt = invocations(launchOutput(copy, fakeJdk, Map.of(), command, 0));
        assertTrue(rebuilt.getFirst().contains("-XX:AOTMode=record"), rebuilt.getFirst().toString());
        assertFalse(rebuilt.getFirst().stream().anyMatch(a -> a.startsWith("-XX:AOTCache=")), rebuilt.toString());
    }

    @Test
    void aSignalThatStopsTheLauncherStopsTheImportsJvmWhetherItRecordsOrNot(@TempDir Path temp) throws Exception {
        Path copy = temp.resolve(CLONE_WITH_SPACES);
        Path fakeJdk = fakeJdk(copy);
        Path layer = Files.write(temp.resolve("district.shp"), new byte[1_000]);
        Path cache = Files.writeString(copy.resolve("target/streetcad-import.aot"), "made");
        Files.setLastModifiedTime(cache, FileTime.fromMillis(System.currentTimeMillis() + 60_000));

        // With the cache, the launcher becomes the JVM: whatever signals it signals the JVM.
        Process later = launcher(copy, fakeJdk, Map.of(), List.of("import", layer.toString())).start();
        String out = new String(later.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(later.waitFor(1, TimeUnit.MINUTES));
        assertTrue(out.contains("pid: " + later.pid() + "\n"), "the JVM runs in the launcher's process:\n" + out);

        // The first import after a build runs its JVM as a child: a TERM to the launcher is passed on to it.
        Files.delete(cache);
        Process first = launcher(copy, fakeJdk, Map.of("FAKE_JAVA_SLEEP", "60"), List.of("import", layer.toString()))
                .start();
        var lines = new BufferedReader(new InputStreamReader(first.getInputStream(), StandardCharsets.UTF_8));
        StringBuilder seen = new StringBuilder();
        for (String line = lines.readLine(); line != null && !line.equals("sleeping"); line = lines.readLine()) {
            seen.append(line).append('\n');
        }
        first.toHandle().destroy(); // SIGTERM to the launcher alone (Process.destroy would close its output too)
        assertTrue(first.waitFor(30, TimeUnit.SECONDS), "the launcher ended:\n" + seen);
        String rest = lines.lines().map(l -> l + "\n").reduce("", String::concat);
        assertTrue(rest.contains("terminated"), "the JVM was sent the TERM:\n" + seen + rest);
        assertEquals(143, first.exitValue(), "the JVM's exit status:\n" + seen + rest);
        assertFalse(Files.exists(cache), "no cache is made of a stopped import");
    }

    @Test
    void aFailedFirstImportKeepsItsExitStatusAndMakesNoCache(@TempDir Path temp) throws Exception {
        Path copy = temp.resolve(CLONE_WITH_SPACES);
        Path fakeJdk = fakeJdk(copy);
        Path layer = Files.write(temp.resolve("district.shp"), new byte[1_000]);

        List<List<String>> failed = invocations(launchOutput(copy, fakeJdk, Map.of("FAKE_JAVA_EXIT", "3"),
                List.of("import", layer.toString()), 3));
        assertEquals(1, failed.size(), failed.toString());
        Path log = copy.resolve("target/streetcad-import.aot.log");
        assertFalse(Files.exists(log) && Files.readString(log).contains("-XX:AOTMode=create"),
                "no cache is made of a failed import");
        try (var left = Files.list(copy.resolve("target"))) {
            assertEquals(List.of("streetcad.jar"), left.map(p -> p.getFileName().toString())
                    .filter(n -> !n.endsWith(".log")).toList());
        }
        // And a command that names no layer (help, a typo) records nothing.
        List<List<String>> help = invocations(launchOutput(copy, fakeJdk, Map.of(), List.of("import", "--help"), 0));
        assertFalse(help.getFirst().contains("-XX:AOTMode=record"), help.toString());
    }

    /**
     * The real JDK (25 or newer) takes the launcher's recording, makes the cache and starts from it, and the notes it
     * writes on the way stay out of the import's own output. The jar is a one-class program made here.
     */
    @Test
    void theRealJvmMakesTheImportCacheAndKeepsTheImportsOutputAsItIs(@TempDir Path temp) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Path jar = temp.resolve("app.jar");
        Path source = Files.writeString(temp.resolve("Hello.java"), """
                public class Hello { public static void main(String[] a) { System.out.println("imported " + a[1]); } }
                """);
        assertEquals(0, ToolProvider.getSystemJavaCompiler().run(null, null, null,
                "-d", temp.toString(), source.toString()));
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, "Hello");
        try (var out = new JarOutputStream(Files.newOutputStream(jar), manifest)) {
            out.putNextEntry(new JarEntry("Hello.class"));
            out.write(Files.readAllBytes(temp.resolve("Hello.class")));
        }
        Path layer = Files.createDirectories(temp.resolve("roads"));
        Path cache = temp.resolve("import.aot");
        String script = Path.of("scripts/import-jvm.sh").toAbsolutePath().toString();
        String[] line = {"bash", "-c", ". \"$0\"; streetcad_import \"$@\"", script, java, jar.toString(),
                cache.toString(), "import", layer.toString()};

        // stdout alone: the launcher's and the JVM's notes on stderr are let go
        String out = run(new ProcessBuilder(line).redirectError(ProcessBuilder.Redirect.DISCARD), 0);
        assertEquals("imported " + layer + "\n", out, "the program's output alone, on stdout");
        boolean makesCaches = run(Map.of(), java, "-XX:+PrintFlagsFinal", "-version").contains(" AOTCacheOutput ");
        assertEquals(makesCaches, Files.exists(cache), "a JDK that makes AOT caches made one");
        if (!makesCaches) return;

        Path log = temp.resolve("aot.log");
        String second = run(Map.of("STREETCAD_JAVA_OPTS", "-Xlog:aot=info:file=" + log), line);
        assertEquals("imported " + layer + "\n", second);
        assertTrue(Files.readString(log).contains("Opened AOT cache " + cache), Files.readString(log));
    }

    private static List<String> launch(Path copy, Path fakeJdk, Map<String, String> env, List<String> command)
            throws Exception {
        return invocations(launchOutput(copy, fakeJdk, env, command, 0)).getFirst();
    }

    /** What ./streetcad printed, run with the stand-in JDK; it exits with {@code status}. */
    private static String launchOutput(Path copy, Path fakeJdk, Map<String, String> env, List<String> command,
            int status) throws Exception {
        return run(launcher(copy, fakeJdk, env, command), status);
    }

    /** ./streetcad with these arguments and environment, run with the stand-in JDK, its errors among its output. */
    private static ProcessBuilder launcher(Path copy, Path fakeJdk, Map<String, String> env, List<String> command) {
        List<String> line = new ArrayList<>(List.of("bash", copy.resolve("streetcad").toString()));
        line.addAll(command);
        ProcessBuilder builder = new ProcessBuilder(line).redirectErrorStream(true);
        builder.environment().putAll(env);
        builder.environment().put("JAVA_HOME", fakeJdk.toString());
        return builder;
    }

    /**
     * A copy of the launchers with an empty jar, and a JDK whose {@code java} writes each argument on a line of its
     * own after its process id (and says it makes AOT caches, so that the training run starts): asked to record an
     * AOT configuration or to make a cache it writes the file, with {@code FAKE_JAVA_SLEEP} it runs that many seconds
     * unless sent a TERM, and it exits with {@code FAKE_JAVA_EXIT} (0 when unset). Returns the JDK's home.
     */
    private static Path fakeJdk(Path copy) throws IOException {
        Files.createDirectories(copy.resolve("scripts"));
        for (String script : List.of("streetcad", "scripts/run.sh", "scripts/setup.sh", "scripts/aot.sh",
                "scripts/serve.jvmopts", "scripts/import-jvm.sh")) {
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
                echo "java:"
                echo "pid: $$"
                for a in "$@"; do
                  echo "arg: $a"
                  case $a in -XX:AOTMode=*) mode=${a#*=};; -XX:AOTConfiguration=*) conf=${a#*=};; -XX:AOTCache=*) cache=${a#*=};; esac
                done
                if [ -n "$FAKE_JAVA_SLEEP" ] && [ "$mode" != create ]; then
                  sleep "$FAKE_JAVA_SLEEP" & s=$!
                  trap 'kill $s; echo terminated; exit 143' TERM
                  echo sleeping
                  wait $s
                fi
                [ "$mode" = record ] && echo recorded > "$conf"
                [ "$mode" = create ] && echo made > "$cache"
                exit ${FAKE_JAVA_EXIT:-0}
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

    /** Each run of the stand-in {@code java}, its arguments. */
    private static List<List<String>> invocations(String out) {
        List<List<String>> runs = new ArrayList<>();
        out.lines().forEach(l -> {
            if (l.equals("java:")) runs.add(new ArrayList<>());
            else if (l.startsWith("arg: ")) runs.getLast().add(l.substring(5));
        });
        return runs;
    }

    private static String run(Map<String, String> env, String... command) throws Exception {
        return run(env, 0, command);
    }

    private static String run(Map<String, String> env, int status, String... command) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(env);
        return run(builder, status);
    }

    /** Runs the command to its end (2 minutes at most) and checks its exit status; its output. */
    private static String run(ProcessBuilder builder, int status) throws Exception {
        Process process = builder.start();
        process.getOutputStream().close();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(2, TimeUnit.MINUTES), String.join(" ", builder.command()));
        assertEquals(status, process.exitValue(), out);
        return out;
    }
}
