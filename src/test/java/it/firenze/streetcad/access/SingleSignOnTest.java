package it.firenze.streetcad.access;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import it.firenze.streetcad.db.Database;
import it.firenze.streetcad.testing.TestHttp;
import it.firenze.streetcad.testing.TestPostgis;
import it.firenze.streetcad.topology.TopologyModule;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.List;

import static it.firenze.streetcad.testing.TestHttp.assertProblem;
import static it.firenze.streetcad.testing.TestHttp.assertUnauthorized;
import static it.firenze.streetcad.testing.TestHttp.json;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Given the city's identity provider (here: a key set served on loopback, tokens signed in the test), its tokens are
 * accepted as bearer credentials, and tokens it did not sign for us are not.
 */
class SingleSignOnTest {

    static final String ISSUER = "https://idp.comune.fi.it/realms/city", AUDIENCE = "streetcad";
    static RSAKey providerKey, strangerKey;
    static HttpServer jwks;
    static Database db;
    static TestHttp http;

    @BeforeAll
    static void start() throws Exception {
        providerKey = new RSAKeyGenerator(2048).keyID("city-1").generate();
        // Same key id as the provider's: only the signature can tell them apart.
        strangerKey = new RSAKeyGenerator(2048).keyID("city-1").generate();
        byte[] keySet = new JWKSet(providerKey.toPublicJWK()).toString().getBytes(StandardCharsets.UTF_8);
        jwks = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        jwks.createContext("/certs", exchange -> {
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, keySet.length);
            exchange.getResponseBody().write(keySet);
            exchange.close();
        });
        jwks.start();
        db = TestPostgis.newCadastre();
        JwtSettings sso = new JwtSettings(ISSUER, AUDIENCE,
                URI.create("http://127.0.0.1:" + jwks.getAddress().getPort() + "/certs"), "roles", "org");
        http = TestHttp.withAccess(new AccessHttp(db, new AccessSettings(true, null, null, List.of(), sso)), new TopologyModule(db));
    }

    @AfterAll
    static void stop() {
        http.close();
        db.close();
        jwks.stop(0);
    }

    static JWTClaimsSet.Builder claims() {
        Instant now = Instant.now();
        return new JWTClaimsSet.Builder().issuer(ISSUER).audience(AUDIENCE).subject("f81d4fae-7dec")
                .claim("name", "Marco Bianchi").claim("org", "Polizia Municipale").claim("roles", List.of("technician", "offline_access"))
                .issueTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(300)));
    }

    static String signed(RSAKey key, JWTClaimsSet claims) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(), claims);
        jwt.sign(new RSASSASigner(key));
        return jwt.serialize();
    }

    static HttpResponse<String> validate(String token) {
        return http.send(HttpRequest.newBuilder(URI.create(http.baseUrl() + "/topology/validations"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"bbox\": [11.0, 43.0, 11.01, 43.01]}")).build());
    }

    @Test
    void aTokenOfTheProviderActsWithItsRolesAndOrganisation() throws Exception {
        String token = signed(providerKey, claims().build());
        var me = json(http.get("/auth/me", "Authorization", "Bearer " + token));
        assertEquals("jwt:f81d4fae-7dec", me.get("id").asText());
        assertEquals("Marco Bianchi", me.get("name").asText());
        assertEquals("Polizia Municipale", me.get("organisation").asText());
        var started = validate(token);
        assertEquals(202, started.statusCode(), started.body());
        var row = http.audit("collection=topology_validation&id=" + json(started).get("id").asLong()).getFirst();
        assertEquals("jwt:f81d4fae-7dec", row.get("principal").asText());
        assertEquals("Polizia Municipale", row.get("organisation").asText());
    }

    @Test
    void aTokenWithoutTheRoleIsForbiddenNotUnauthenticated() throws Exception {
        assertProblem(validate(signed(providerKey, claims().claim("roles", "viewer editor").build())), 403, null);
    }

    @Test
    void unsignedWronglyAddressedExpiredAndForgedTokensAreRefused() throws Exception {
        assertUnauthorized(validate(new PlainJWT(claims().build()).serialize()));
        String noneWithSignaturePart = new PlainJWT(claims().build()).serialize() + "c2lnbmF0dXJl";
        assertUnauthorized(validate(noneWithSignaturePart));
        assertUnauthorized(validate(signed(providerKey, claims().issuer("https://idp.example.org").build())));
        assertUnauthorized(validate(signed(providerKey, claims().audience("another-app").build())));
        Instant past = Instant.now().minusSeconds(3600);
        assertUnauthorized(validate(signed(providerKey, claims().issueTime(Date.from(past.minusSeconds(300)))
                .expirationTime(Date.from(past)).build())));
        assertUnauthorized(validate(signed(strangerKey, claims().build())));
        // HS256 keyed with the provider's public key: the classic algorithm confusion.
        SignedJWT hmac = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("city-1").build(), claims().build());
        hmac.sign(new MACSigner(providerKey.toPublicJWK().toRSAPublicKey().getEncoded()));
        assertUnauthorized(validate(hmac.serialize()));
    }
}
