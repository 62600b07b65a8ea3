package it.firenze.streetcad.features;

import it.firenze.streetcad.testing.TestHttp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.sql.Connection;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Given the small network, the live items change when a validity ends or begins, with no write at all; a client
 * revalidating its page with the old ETag then gets the new page, never a 304 for what is no longer live.
 */
class LiveItemsEtagTest {

    static SmallNetwork.Served network;
    static TestHttp http;

    @BeforeAll
    static void start() {
        network = SmallNetwork.serve(db -> List.of(new FeaturesModule(db, ctx -> ctx.html("<p>the web map</p>"))));
        http = network.http();
    }

    @AfterAll
    static void stop() {
        network.close();
    }

    @Test
    void whenAnElementsValidityEndsTheOldEtagNoLongerAnswers304() throws Exception {
        String page = "/collections/road-elements/items?limit=100";
        long id = FeaturesCoreTest.ids(TestHttp.json(http.get(page))).getFirst();
        try (Connection c = network.db().connection(); var st = c.createStatement()) {
            st.execute("UPDATE road_element SET valid_to = now() + interval '1500 milliseconds' WHERE id = " + id);
        }
        HttpResponse<String> before = http.get(page);
        assertTrue(FeaturesCoreTest.ids(TestHttp.json(before)).contains(id), before.body());
        String etag = before.headers().firstValue("ETag").orElseThrow();
        assertEquals(304, http.get(page, "If-None-Match", etag).statusCode(), "nothing changed yet");

        Thread.sleep(2_000);

        HttpResponse<String> after = http.get(page, "If-None-Match", etag);
        assertEquals(200, after.statusCode(), "the element's validity ended: the page is not the one the client holds");
        assertFalse(FeaturesCoreTest.ids(TestHttp.json(after)).contains(id), after.body());
        assertNotEquals(etag, after.headers().firstValue("ETag").orElseThrow());
    }
}
