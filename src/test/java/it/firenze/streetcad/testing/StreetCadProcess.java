package it.firenze.streetcad.testing;

import it.firenze.streetcad.cli.Main;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A {@code streetcad} command running as a process of its own (a child JVM on the test class path), as an operator
 * runs it: so that tests can SIGTERM or SIGKILL it and see what a restart finds. Its output is appended to a log file.
 */
public record StreetCadProcess(Process process, int port, Path log) {

    /** Starts {@code streetcad serve} on a free loopback port with the given data directory and extra arguments. */
    public static StreetCadProcess serve(Path dataDir, Path log, String... extra) throws IOException {
        return serve(Map.of(), dataDir, log, extra);
    }

    /** As {@link #serve(Path, Path, String...)}, with these environment variables. */
    public static StreetCadProcess serve(Map<String, String> env, Path dataDir, Path log, String... extra) throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        List<String> args = new ArrayList<>(List.of("serve", "--host", "127.0.0.1", "--port", Integer.toString(port),
                "--data-dir", dataDir.toString()));
        args.addAll(List.of(extra));
        return new StreetCadProcess(start(env, log, args), port, log);
    }

    /** Starts any other {@code streetcad} command line, with these environment variables. */
    public static StreetCadProcess command(Map<String, String> env, Path log, String... args) throws IOException {
        return new StreetCadProcess(start(env, log, List.of(args)), -1, log);
    }

    private static Process start(Map<String, String> env, Path log, List<String> args) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "-Xmx1g", "-cp", System.getProperty("java.class.path"),
                Main.class.getName()));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(env);
        return builder.start();
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    public long pid() {
        return process.pid();
    }

    /** Waits (at most 180 s: a loaded 2-core machine starts a JVM slowly) until {@code /ready} answers 200. */
    public StreetCadProcess awaitReady() throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) throw new AssertionError("serve exited: " + Files.readString(log));
            try {
                var r = client.send(HttpRequest.newBuilder(URI.create(baseUrl() + "/ready")).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) return this;
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new AssertionError("not ready in 180 s: " + Files.readString(log));
    }

    /** Waits (at most 180 s) for the command to end by itself; its exit code. */
    public int awaitExit() throws InterruptedException {
        if (!process.waitFor(180, TimeUnit.SECONDS)) throw new AssertionError("did not end in 180 s");
        return process.exitValue();
    }

    /** SIGTERM, then waits for the exit. */
    public void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) throw new AssertionError("did not stop on SIGTERM");
    }

    /** SIGKILL, as a crash or the OOM killer: no shutdown hook runs. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }
}
