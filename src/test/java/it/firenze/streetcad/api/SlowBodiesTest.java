package it.firenze.streetcad.api;

import com.fasterxml.jackson.databind.JsonNode;
import it.firenze.streetcad.access.Role;
import it.firenze.streetcad.db.Database;
import it.firenze.streetcad.editing.EditingHttp;
import it.firenze.streetcad.features.SmallNetwork;
import it.firenze.streetcad.importer.ImportHttpModule;
import it.firenze.streetcad.importer.ImportJobs;
import it.firenze.streetcad.testing.TestHttp;
import it.firenze.streetcad.testing.TestPostgis;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Given a StreetCad HTTP server over a real PostGIS, a request body that trickles in (slowloris on bodies) is cut off
 * with a 408 once its grace period is over, on every route that reads a body, while a slow but steady one is read to
 * its end. The requests are written by hand on a socket, at the pace each case needs.
 */
class SlowBodiesTest {

    static final long GRACE_MILLIS = TimeUnit.SECONDS.toMillis(SlowBodies.GRACE_SECONDS);

    static Database db;
    static ImportJobs jobs;
    static TestHttp http;

    @BeforeAll
    static void start() {
        db = TestPostgis.newCadastre();
        SmallNetwork.insert(db);
        jobs = new ImportJobs(db, List.of(), 1);
        http = TestHttp.withKey(db, Role.TECHNICIAN, new ImportHttpModule(jobs, 8L << 20), new EditingHttp(db));
    }

    @AfterAll
    static void stop() {
        http.close();
        jobs.close();
        db.close();
    }

    @Test
    void bodiesThatTrickleInAreCutOffWith408AndASteadySlowUploadIsReadWhole() throws Exception {
        long jobsBefore = count("SELECT count(*) FROM import_job");
        List<Path> uploadsBefore = uploads();
        List<String> multipart = List.of("Content-Type: multipart/form-data; boundary=x");
        String zipStart = "--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"roads.zip\"\r\n"
                + "Content-Type: application/zip\r\n\r\nPK";
        // Given a zip upload and an edit that each send a byte every half second (2 bytes/s), and an upload that
        // sends 8 KiB every half second (16 KiB/s, twice the minimum) for longer than the grace period
        var clients = Executors.newVirtualThreadPerTaskExecutor();
        var upload = CompletableFuture.supplyAsync(() -> send("POST", "/imports", Role.TECHNICIAN, multipart,
                zipStart, 100_000, "", 1, 500), clients);
        var edit = CompletableFuture.supplyAsync(() -> send("PATCH", "/collections/roads/items/1", Role.EDITOR,
                List.of("Content-Type: application/json", "If-Match: \"1\""), "{\"properties\": {\"name\": \"Via ",
                5_000, "\"}}", 1, 500), clients);
        int steadyBytes = (int) (SlowBodies.GRACE_SECONDS + 3) * 16 * 1024;
        var steady = CompletableFuture.supplyAsync(() -> send("POST", "/imports", Role.TECHNICIAN, multipart,
                zipStart, steadyBytes, "\r\n--x--\r\n", 8 * 1024, 500), clients);

        // then each trickle is answered 408 soon after the grace period, long before its body could have ended,
        // and the server closes its connection
        for (Answer trickled : List.of(upload.get(), edit.get())) {
            assertEquals(408, trickled.status(), trickled.toString());
            assertTrue(trickled.headers().get("content-type").startsWith(Problem.MEDIA_TYPE), trickled.toString());
            assertTrue(trickled.problem().get("detail").asText().contains("too slowly"), trickled.toString());
            assertEquals("close", trickled.headers().get("connection"), trickled.toString());
            assertTrue(trickled.closedAfter(), "the connection is closed after the 408");
            assertTrue(trickled.millis() >= GRACE_MILLIS && trickled.millis() < GRACE_MILLIS + 8_000, trickled.toString());
        }
        // and nothing was staged or changed
        assertEquals(jobsBefore, count("SELECT count(*) FROM import_job"));
        assertEquals(uploadsBefore, uploads());
        assertEquals(1, count("SELECT version FROM road WHERE id = 1"));
        // while the steady upload was read to its end and judged on its content (PK and a's are no zip: 400 naming file)
        Answer read = steady.get();
        assertEquals(400, read.status(), read.toString());
        assertEquals("file", read.problem().get("parameter").asText(), read.toString());
        assertTrue(read.millis() > GRACE_MILLIS, read.toString());
    }

    /** What the server answered to a hand-written request, how long it took, and whether it closed the connection. */
    record Answer(int status, Map<String, String> headers, String body, long millis, boolean closedAfter) {
        JsonNode problem() {
            try {
                return Json.mapper().readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /**
     * Sends the request's headers and {@code start} at once, then {@code filler} bytes, {@code step} every
     * {@code pauseMillis}, then {@code end}, unless the server answers first; reads the answer.
     */
    static Answer send(String method, String path, Role role, List<String> headers, String start, int filler, String end,
                       int step, long pauseMillis) {
        int length = start.length() + filler + end.length();
        long began = System.nanoTime();
        try (Socket socket = new Socket("127.0.0.1", port())) {
            socket.setSoTimeout((int) (GRACE_MILLIS + 20_000));
            OutputStream out = socket.getOutputStream();
            out.write((method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + http.key(role)
                    + "\r\n" + String.join("\r\n", headers) + "\r\nContent-Length: " + length + "\r\n\r\n" + start)
                    .getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = socket.getInputStream();
            Thread.ofVirtual().start(() -> {
                try {
                    for (int sent = 0; sent < filler && !socket.isClosed(); sent += step) {
                        Thread.sleep(pauseMillis);
                        out.write("a".repeat(Math.min(step, filler - sent)).getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                    }
                    out.write(end.getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                } catch (IOException | InterruptedException e) {
                    // the server answered and closed the connection: nothing more to send
                }
            });
            String head = readHead(in);
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
            String[] lines = head.split("\r\n");
            Map<String, String> answered = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                answered.put(lines[i].substring(0, colon).trim().toLowerCase(), lines[i].substring(colon + 1).trim());
            }
            String body = new String(in.readNBytes(Integer.parseInt(answered.get("content-length"))), StandardCharsets.UTF_8);
            boolean closed;
            socket.setSoTimeout(2_000);
            try {
                closed = in.read() == -1;
            } catch (java.net.SocketTimeoutException e) {
                closed = false;
            } catch (IOException e) {
                closed = true;  // reset by the server
            }
            return new Answer(Integer.parseInt(lines[0].split(" ")[1]), answered, body, millis, closed);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) throw new IOException("the server closed the connection without answering");
            head.write(b);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    private static int port() {
        return Integer.parseInt(http.baseUrl().substring(http.baseUrl().lastIndexOf(':') + 1));
    }

    private static long count(String sql) throws SQLException {
        try (var c = db.connection(); var st = c.createStatement(); var rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static List<Path> uploads() throws IOException {
        try (var files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return files.filter(f -> f.getFileName().toString().startsWith("streetcad-import-")).sorted().toList();
        }
    }
}
