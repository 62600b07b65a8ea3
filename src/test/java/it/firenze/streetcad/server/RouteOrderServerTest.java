package it.firenze.streetcad.server;

import io.javalin.config.RouterConfig;
import io.javalin.router.Endpoint;
import io.javalin.router.matcher.PathParser;
import it.firenze.streetcad.api.RouteOrder;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole server's routes: for every registered path pattern, every path built from it answers with the same
 * route in the order Javalin got them as in the modules' registration order (Javalin's own matcher decides).
 */
class RouteOrderServerTest {

    @Test
    void everyRegisteredPatternIsAnsweredByTheRouteThatAnsweredItInRegistrationOrder() throws Exception {
        try (StreetCadServer server = WholeServer.onANewDatabase()) {
            List<Endpoint> registered = server.http().registeredEndpoints();
            List<Endpoint> ordered = server.http().orderedEndpoints();
            assertEquals(Set.copyOf(registered), Set.copyOf(ordered), "the same endpoints");
            Set<String> hot = RouteOrder.HOT;
            Set<String> keys = registered.stream().map(e -> e.method.name() + " " + e.path).collect(Collectors.toSet());
            assertTrue(keys.containsAll(hot), "every hot route is one the server registers: " + hot);
            assertEquals(hot, ordered.subList(0, hot.size()).stream().map(e -> e.method.name() + " " + e.path)
                    .collect(Collectors.toSet()), "every hot route goes first in the server as it is");

            // Example paths: each pattern with its parameters replaced by every plain segment any pattern has at
            // that position (where overlaps would show) and by "1" and "x.json".
            Map<Integer, Set<String>> literalsAt = new java.util.HashMap<>();
            for (Endpoint e : registered) {
                String[] s = segments(e.path);
                for (int i = 0; i < s.length; i++) {
                    if (!s[i].contains("{")) literalsAt.computeIfAbsent(i, k -> new LinkedHashSet<>()).add(s[i]);
                }
            }
            RouterConfig config = new RouterConfig();
            int checked = 0;
            Random random = new Random(7);
            for (Endpoint e : registered) {
                if (!e.method.isHttpMethod()) continue;
                for (String path : examples(e.path, literalsAt, random)) {
                    assertEquals(first(registered, e, path, config), first(ordered, e, path, config),
                            e.method + " " + path + " (from " + e.path + ")");
                    checked++;
                }
            }
            assertTrue(checked > 200, "checked " + checked + " paths");

            // And over the port: a hot route and a route registered before it answer as before.
            assertEquals(200, get(server.port(), "/collections/road-elements/items?limit=1").statusCode());
            assertEquals(404, get(server.port(), "/collections/road-elements/items/999999999").statusCode());
            assertEquals(200, get(server.port(), "/collections").statusCode());
            assertEquals(200, get(server.port(), "/ready").statusCode());
        }
    }

    /** The first endpoint of the method, in this order, whose pattern Javalin matches the path with. */
    private static String first(List<Endpoint> order, Endpoint of, String path, RouterConfig config) {
        for (Endpoint e : order) {
            if (e.method != of.method) continue;
            if (e.path.equals(path) || new PathParser(e.path, config).matches(path)) return e.path;
        }
        return null;
    }

    private static String[] segments(String path) {
        return java.util.Arrays.stream(path.split("/")).filter(s -> !s.isEmpty()).toArray(String[]::new);
    }

    private static List<String> examples(String pattern, Map<Integer, Set<String>> literalsAt, Random random) {
        String[] s = segments(pattern);
        List<List<String>> choices = new ArrayList<>();
        for (int i = 0; i < s.length; i++) {
            if (!s[i].contains("{")) {
                choices.add(List.of(s[i]));
            } else {
                List<String> values = new ArrayList<>(literalsAt.getOrDefault(i, Set.of()));
                values.add("1");
                values.add("x.json");
                choices.add(values);
            }
        }
        List<String> paths = new ArrayList<>();
        long combinations = choices.stream().mapToLong(List::size).reduce(1, (a, b) -> a * b);
        if (combinations <= 2_000) {
            build(choices, 0, new StringBuilder(), paths);
        } else {
            for (int n = 0; n < 2_000; n++) {
                StringBuilder p = new StringBuilder();
                for (List<String> c : choices) p.append('/').append(c.get(random.nextInt(c.size())));
                paths.add(p.toString());
            }
        }
        if (s.length == 0) paths.add("/");
        return paths;
    }

    private static void build(List<List<String>> choices, int i, StringBuilder prefix, List<String> out) {
        if (i == choices.size()) {
            if (!prefix.isEmpty()) out.add(prefix.toString());
            return;
        }
        for (String c : choices.get(i)) {
            int length = prefix.length();
            build(choices, i + 1, prefix.append('/').append(c), out);
            prefix.setLength(length);
        }
    }

    private static HttpResponse<String> get(int port, String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
