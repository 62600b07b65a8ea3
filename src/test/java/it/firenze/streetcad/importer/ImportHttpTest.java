package it.firenze.streetcad.importer;

import it.firenze.streetcad.access.Role;
import com.fasterxml.jackson.databind.JsonNode;
import it.firenze.streetcad.db.Database;
import it.firenze.streetcad.testing.TestHttp;
import it.firenze.streetcad.testing.TestPostgis;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import static it.firenze.streetcad.testing.TestHttp.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Given a StreetCad HTTP server with the import module over a real PostGIS, a zipped shapefile becomes a job. */
class ImportHttpTest {

    static final long LIMIT = 8L << 20;
    static final Path CASES = Path.of("src", "test", "resources", "shapefile-cases");

    @TempDir
    static Path tmp;
    static Database db;
    static ImportJobs jobs;
    static TestHttp http;
    static Cadastre cadastre;

    @BeforeAll
    static void start() {
        db = TestPostgis.newCadastre();
        jobs = new ImportJobs(db, List.of(), 2);
        http = TestHttp.withKey(db, Role.TECHNICIAN, new ImportHttpModule(jobs, LIMIT));
        cadastre = new Cadastre(db);
    }

    @AfterAll
    static void stop() {
        http.close();
        jobs.close();
        db.close();
    }

    static HttpResponse<String> upload(Path zip, Map<String, String> fields) throws IOException {
        return upload(http, zip, fields);
    }

    static HttpResponse<String> upload(TestHttp http, Path zip, Map<String, String> fields) throws IOException {
        String boundary = "streetcad-test-boundary";
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (var f : fields.entrySet()) {
            body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + f.getKey() + "\"\r\n\r\n"
                    + f.getValue() + "\r\n").getBytes(StandardCharsets.UTF_8));
        }
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + zip.getFileName()
                + "\"\r\nContent-Type: application/zip\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        body.writeBytes(Files.readAllBytes(zip));
        body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return http.send(HttpRequest.newBuilder(URI.create(http.baseUrl() + "/imports"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build());
    }

    static HttpResponse<String> post(String path) {
        return post(http, path);
    }

    static HttpResponse<String> post(TestHttp http, String path) {
        return http.send(HttpRequest.newBuilder(URI.create(http.baseUrl() + path)).POST(HttpRequest.BodyPublishers.noBody()).build());
    }

    static HttpResponse<String> delete(String path) {
        return delete(http, path);
    }

    static HttpResponse<String> delete(TestHttp http, String path) {
        return http.send(HttpRequest.newBuilder(URI.create(http.baseUrl() + path)).DELETE().build());
    }

    /** Polls the job until it leaves the given states. */
    static JsonNode awaitJob(long id, String... busy) throws InterruptedException {
        return awaitJob(http, id, busy);
    }

    /** Polls the job on {@code http} until it leaves the given states. */
    static JsonNode awaitJob(TestHttp http, long id, String... busy) throws InterruptedException {
        return awaitJob(http, id, job -> !List.of(busy).contains(job.get("state").asText()));
    }

    /** Polls the job on {@code http} until it is {@code done}. */
    static JsonNode awaitJob(TestHttp http, long id, Predicate<JsonNode> done) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 300_000;
        while (true) {
            JsonNode job = TestHttp.json(http.get("/imports/" + id));
            if (done.test(job)) return job;
            if (System.currentTimeMillis() > deadline) throw new AssertionError("job still " + job.get("state") + ": " + job);
            Thread.sleep(200);
        }
    }

    @Test
    void anUploadedZipIsStagedReportedAndCommittedOnRequest() throws Exception {
        var created = upload(Gdal.zipLayer(Gdal.FLORENCE, tmp.resolve("florence.zip")), Map.of("mapping", "osm"));
        assertEquals(202, created.statusCode(), created.body());
        long id = TestHttp.json(created).get("id").asLong();
        assertEquals("/imports/" + id, created.headers().firstValue("Location").orElseThrow());

        JsonNode staged = awaitJob(id, "queued", "staging");
        assertEquals("validated", staged.get("state").asText(), staged.toString());
        assertEquals(100, staged.get("progress").asInt());
        JsonNode report = staged.get("report");
        assertEquals(33_089, report.at("/counts/read").asLong());
        assertEquals(0, report.at("/counts/invalid").asLong());
        assertEquals(4326, report.at("/crs/srid").asInt());
        assertEquals("UTF-8", report.at("/encoding/charset").asText());
        assertEquals(0, cadastre.count("SELECT count(*) FROM road_element"), "nothing is written before the commit");

        var commit = post("/imports/" + id + "/commit");
        assertEquals(202, commit.statusCode(), commit.body());
        JsonNode done = awaitJob(id, "committing");
        assertEquals("committed", done.get("state").asText(), done.toString());
        assertEquals(33_089, done.at("/report/committed/inserted").asLong());
        assertEquals(33_089, cadastre.count("SELECT count(*) FROM road_element"));
        JsonNode audited = http.audit("collection=import_job&id=" + id).getFirst();
        assertEquals("import.commit", audited.get("action").asText());
        assertEquals("test technician", audited.get("principalName").asText());
        assertEquals("POST /imports/{id}/commit", audited.get("via").asText());
        assertEquals(33_089, audited.at("/details/committed/inserted").asLong());

        assertProblem(post("/imports/" + id + "/commit"), 409, null);
        assertProblem(delete("/imports/" + id), 409, null);
        JsonNode list = TestHttp.json(http.get("/imports"));
        assertTrue(list.get("imports").findValuesAsText("href").contains("/imports/" + id), list.toString());
    }

    @Test
    void aDiscardedUploadLeavesTheCadastreAsItWas() throws Exception {
        String before = cadastre.fingerprint();
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("mapping", "{\"fields\": {\"road_name\": \"name\", \"surface\": \"surface\"}}");
        fields.put("mode", "replace");
        var created = upload(Gdal.zipLayer(Gdal.FLORENCE, tmp.resolve("again.zip")), fields);
        assertEquals(202, created.statusCode(), created.body());
        long id = TestHttp.json(created).get("id").asLong();
        assertEquals("validated", awaitJob(id, "queued", "staging").get("state").asText());
        var discarded = delete("/imports/" + id);
        assertEquals(200, discarded.statusCode(), discarded.body());
        assertEquals("discarded", TestHttp.json(discarded).get("state").asText());
        assertEquals("import.discard", http.audit("collection=import_job&id=" + id).getFirst().get("action").asText());
        assertEquals(before, cadastre.fingerprint());
        assertEquals(0, cadastre.count("SELECT count(*) FROM pg_tables WHERE tablename = 'import_staging_" + id + "'"));
    }

    @Test
    void givenNoCredentialsOrALesserRoleNoImportRouteAcceptsAnything() throws Exception {
        Path zip = Gdal.zipLayer(CASES.resolve("polylines.shp"), tmp.resolve("refused.zip"));
        long jobs = cadastre.count("SELECT count(*) FROM import_job");
        for (String key : java.util.Arrays.asList(null, http.key(Role.VIEWER), http.key(Role.EDITOR), http.key(Role.OPERATOR))) {
            List<HttpResponse<String>> answers = List.of(
                    http.sendAs(key, HttpRequest.newBuilder(URI.create(http.baseUrl() + "/imports"))
                            .header("Content-Type", "multipart/form-data; boundary=x")
                            .POST(HttpRequest.BodyPublishers.ofFile(zip)).build()),
                    http.sendAs(key, HttpRequest.newBuilder(URI.create(http.baseUrl() + "/imports/1/commit"))
                            .POST(HttpRequest.BodyPublishers.noBody()).build()),
                    http.sendAs(key, HttpRequest.newBuilder(URI.create(http.baseUrl() + "/imports/1")).DELETE().build()));
            for (var answer : answers) {
                if (key == null) TestHttp.assertUnauthorized(answer);
                else assertProblem(answer, 403, null);
            }
        }
        assertEquals(jobs, cadastre.count("SELECT count(*) FROM import_job"), "no upload was taken");
    }

    @Test
    void uploadsLeftByAKilledProcessAreSweptAndFreshOnesKept() throws IOException {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        Path old = Files.createTempFile(tmp, ImportHttpModule.UPLOAD_PREFIX, ".zip");
        Path fresh = Files.createTempFile(tmp, ImportHttpModule.UPLOAD_PREFIX, ".zip");
        Files.setLastModifiedTime(old, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 7_200_000));
        ImportHttpModule.sweepLeftoverUploads();
        assertTrue(Files.notExists(old), "an upload untouched for two hours is swept");
        assertTrue(Files.exists(fresh), "one being written or staged is kept");
        Files.delete(fresh);
    }

    @Test
    void pointAndPolygonLayersAreRefusedAsRoads() throws Exception {
        for (String layer : List.of("points", "polygons")) {
            var r = upload(Gdal.zipLayer(CASES.resolve(layer + ".shp"), tmp.resolve(layer + ".zip")), Map.of());
            assertProblem(r, 400, "file");
            assertTrue(TestHttp.json(r).get("detail").asText().contains("lines"), r.body());
        }
    }

    @Test
    void anUploadOverTheLimitIsA413BeforeAnythingIsRead() throws IOException {
        try (TestHttp small = TestHttp.withKey(db, Role.TECHNICIAN, new ImportHttpModule(jobs, 64 * 1024))) {
            Path zip = Gdal.zipLayer(Gdal.FLORENCE, tmp.resolve("big.zip"));
            var r = small.send(HttpRequest.newBuilder(URI.create(small.baseUrl() + "/imports"))
                    .header("Content-Type", "multipart/form-data; boundary=x")
                    .POST(HttpRequest.BodyPublishers.ofFile(zip)).build());
            assertProblem(r, 413, "file");
        }
    }

    @Test
    void anUploadThatIsNotAZipOrHasBadOptionsIsA400NamingTheField() throws IOException {
        assertProblem(http.send(HttpRequest.newBuilder(URI.create(http.baseUrl() + "/imports"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}")).build()), 400, "file");
        Path notZip = Files.writeString(tmp.resolve("roads.zip"), "not a zip at all");
        assertProblem(upload(notZip, Map.of()), 400, "file");
        Path zip = Gdal.zipLayer(CASES.resolve("polylines.shp"), tmp.resolve("polylines.zip"));
        assertProblem(upload(zip, Map.of("mode", "merge")), 400, "mode");
        assertProblem(upload(zip, Map.of("mapping", "{\"fields\": {\"colour\": \"c\"}}")), 400, "mapping");
        assertProblem(upload(zip, Map.of("mapping", "/etc/passwd")), 400, "mapping");
        assertProblem(upload(zip, Map.of("srid", "WGS84")), 400, "srid");
        assertProblem(upload(zip, Map.of("buildNetwork", "yes")), 400, "buildNetwork");
        assertProblem(upload(zip, Map.of("commit", "yes")), 400, "commit");
        assertProblem(upload(zip, Map.of("skipInvalid", "true")), 400, "skipInvalid");
        assertProblem(upload(zip, Map.of("mode", "append", "area", "11,43,11.1,43.1")), 400, "area");
        // NaN fails every comparison: such an area was once taken, and a replace queued over it.
        assertProblem(upload(zip, Map.of("mode", "replace", "area", "NaN,43,11.1,43.1")), 400, "area");
        assertProblem(upload(zip, Map.of("mode", "replace", "area", "11,43,Infinity,43.1")), 400, "area");
        assertProblem(upload(zip, Map.of("mode", "upsert", "mapping", "{\"fields\": {\"road_name\": \"name\"}}")), 400, "mode");
    }

    @Test
    void aSridPostGisCannotTransformIsRefusedAtOnceAndNoImportIsQueued() throws Exception {
        // Given a zipped line layer and a CRS PostGIS knows but has no transformation for (a broken definition)
        Path zip = Gdal.zipLayer(CASES.resolve("polylines.shp"), tmp.resolve("polylines-srid.zip"));
        try (Connection c = db.connection(); Statement st = c.createStatement()) {
            st.execute("INSERT INTO spatial_ref_sys (srid, auth_name, auth_srid, srtext, proj4text) "
                    + "VALUES (990017, 'test', 990017, '', '+proj=nowhere') ON CONFLICT DO NOTHING");
        }
        try {
            long jobs = count("SELECT count(*) FROM import_job");
            // when it is uploaded with an EPSG code no CRS has, or with that one
            HttpResponse<String> unknown = upload(zip, Map.of("srid", "999999"));
            HttpResponse<String> untransformable = upload(zip, Map.of("srid", "EPSG:990017"));
            // then each is refused at once naming srid, and no import was registered to fail later
            assertProblem(unknown, 400, "srid");
            assertTrue(unknown.body().contains("EPSG:999999"), unknown.body());
            assertProblem(untransformable, 400, "srid");
            assertTrue(untransformable.body().contains("cannot be transformed"), untransformable.body());
            assertEquals(jobs, count("SELECT count(*) FROM import_job"));
        } finally {
            try (Connection c = db.connection(); Statement st = c.createStatement()) {
                st.execute("DELETE FROM spatial_ref_sys WHERE srid = 990017");
            }
        }
    }

    static long count(String sql) throws SQLException {
        try (Connection c = db.connection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void aMultipartBodyThatCannotBeReadIsA400NamingThePartItStoppedInAndClosesTheConnection() throws IOException {
        long jobs = cadastre.count("SELECT count(*) FROM import_job");
        String file = "--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"roads.zip\"\r\n\r\nPK";
        Map<String, String> cutOff = new LinkedHashMap<>();
        cutOff.put("", "file");  // empty: no part at all, so the file is missing
        cutOff.put(file, "file");  // cut off inside the file's content
        cutOff.put("--x\r\nContent-Disposition: form-data; name=\"layer\"\r\n\r\nroads\r\n" + file, "file");
        cutOff.put("--x\r\nContent-Disposition: form-data; name=\"layer\"\r\n\r\nroa", "layer");  // inside a field
        for (var body : cutOff.entrySet()) {
            // when each body is sent whole as it is (its Content-Length matches)
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(http.baseUrl() + "/imports"))
                    .header("Content-Type", "multipart/form-data; boundary=x")
                    .POST(HttpRequest.BodyPublishers.ofString(body.getKey())).build());
            // then the 400 names the part it stopped in, and the connection is not offered for another request
            assertProblem(r, 400, body.getValue());
            assertEquals("close", r.headers().firstValue("Connection").orElse(""), r.headers().toString());
            // and the next request on the same client is answered
            assertEquals(200, http.get("/imports").statusCode());
        }
        assertEquals(jobs, cadastre.count("SELECT count(*) FROM import_job"), "nothing was staged");
    }

    @Test
    void aRefusedUploadIsNamedAsTheTechnicianSentItNeverAsTheServersTemporaryCopy() throws IOException {
        // Given zips the reader refuses: an entry pointing outside the archive, a cut-off archive, no shapefile
        Path traversal = tmp.resolve("roads-traversal.zip");
        try (var zip = new java.util.zip.ZipOutputStream(Files.newOutputStream(traversal))) {
            zip.putNextEntry(new java.util.zip.ZipEntry("../../roads.shp"));
            zip.write(new byte[100]);
            zip.closeEntry();
        }
        byte[] whole = Files.readAllBytes(Gdal.zipLayer(CASES.resolve("polylines.shp"), tmp.resolve("whole.zip")));
        Path truncated = Files.write(tmp.resolve("roads-truncated.zip"), java.util.Arrays.copyOf(whole, whole.length / 2));
        Path empty = tmp.resolve("roads-empty.zip");
        try (var zip = new java.util.zip.ZipOutputStream(Files.newOutputStream(empty))) {
            zip.putNextEntry(new java.util.zip.ZipEntry("readme.txt"));
            zip.closeEntry();
        }
        for (Path refused : List.of(traversal, truncated, empty)) {
            // when each is uploaded
            HttpResponse<String> r = upload(refused, Map.of());
            // then the 400 names the file as uploaded and says nothing of where the server keeps it
            assertProblem(r, 400, "file");
            String detail = TestHttp.json(r).get("detail").asText();
            assertTrue(detail.startsWith(refused.getFileName().toString()), detail);
            assertFalse(detail.contains(ImportHttpModule.UPLOAD_PREFIX), detail);
        }
    }

    @Test
    void unknownImportsAndIdsNoImportCanHaveAre404() {
        assertProblem(http.get("/imports/999999"), 404, null);
        assertProblem(http.get("/imports/abc"), 404, null);
        assertProblem(post("/imports/999999/commit"), 404, null);
        assertProblem(delete("/imports/999999"), 404, null);
    }
}
