package it.firenze.streetcad.api;

import io.javalin.http.Handler;
import io.javalin.router.Endpoint;
import io.javalin.router.JavalinDefaultRoutingApi;
import io.javalin.http.ExceptionHandler;
import io.javalin.security.RouteRole;
import io.javalin.websocket.WsConfig;
import io.javalin.websocket.WsExceptionHandler;
import io.javalin.websocket.WsHandlerType;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * The order in which the modules' routes are handed to Javalin. For a request Javalin tries its method's routes one
 * after the other in registration order, matching each path pattern's regular expression, and the first that
 * matches answers: registration order is precedence. The modules register in the server's order (access, health,
 * features, viability, editing, network, tiles, …), so the most asked routes came after up to 20 others, each a
 * failed regular expression per request (11 % of the JVM's samples on {@code /network/nearest}).
 * <p>
 * The {@link #HOT} routes are registered first, in their own registration order, when that cannot change which
 * route answers any path: a hot route goes ahead only of routes whose patterns no path can match together with its
 * own ({@link #disjoint}). Anything else keeps its place, so for every path the route that answers is the one that
 * answered in registration order.
 */
public final class RouteOrder {

    /** The routes the web map, GIS clients and the benches ask most. */
    public static final Set<String> HOT = Set.of(
            "GET /collections/{collectionId}/items",
            "GET /collections/{collectionId}/items/{featureId}",
            "GET /network/nearest",
            "GET /collections/{collection}/tiles/{tms}/{tileMatrix}/{tileRow}/{tileCol}",
            "GET /tiles/{layer}/{z}/{x}/{file}");

    /** A segment that matches only itself: Javalin passes a literal segment's characters to its regex unescaped. */
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_-]+");

    private RouteOrder() {
    }

    static String key(Endpoint e) {
        return e.method.name() + " " + e.path;
    }

    /**
     * The endpoints in the order to register them: the hot ones that can go first, then the rest, each group in
     * registration order. A hot endpoint goes first only when its path pattern is disjoint from that of every
     * endpoint of its method registered before it that does not go first too.
     */
    public static List<Endpoint> ordered(List<Endpoint> registered, Collection<String> hot) {
        List<Endpoint> first = new ArrayList<>();
        List<Endpoint> rest = new ArrayList<>();
        for (Endpoint e : registered) {
            boolean promote = hot.contains(key(e))
                    && rest.stream().filter(r -> r.method == e.method).allMatch(r -> disjoint(r.path, e.path));
            (promote ? first : rest).add(e);
        }
        first.addAll(rest);
        return first;
    }

    /**
     * Whether no request path can match both patterns. Conservative: a pattern with a wildcard or a
     * slash-accepting parameter may match any number of segments, and a segment that is not plain letters, digits,
     * '-' and '_' (a parameter, or regex characters) may match any segment. Two patterns of plain and parameter
     * segments are disjoint when their numbers of segments differ (a parameter matches one non-empty segment) or
     * when at one position both are plain and differ.
     */
    public static boolean disjoint(String a, String b) {
        List<String> x = segments(a);
        List<String> y = segments(b);
        if (x == null || y == null) return false;
        if (x.size() != y.size()) return true;
        for (int i = 0; i < x.size(); i++) {
            String s = x.get(i);
            String t = y.get(i);
            if (PLAIN.matcher(s).matches() && PLAIN.matcher(t).matches() && !s.equals(t)) return true;
        }
        return false;
    }

    private static List<String> segments(String path) {
        if (path.contains("*") || path.contains("<")) return null;
        List<String> segments = new ArrayList<>();
        for (String s : path.split("/")) {
            if (!s.isEmpty()) segments.add(s);
        }
        return segments;
    }

    /**
     * What the modules register on: endpoints are kept to be registered in {@link #ordered} order afterwards;
     * exception, error and WebSocket handlers go straight through (their order is not a route's precedence).
     */
    static final class Recorder implements JavalinDefaultRoutingApi {
        private final JavalinDefaultRoutingApi target;
        final List<Endpoint> endpoints = new ArrayList<>();

        Recorder(JavalinDefaultRoutingApi target) {
            this.target = target;
        }

        @Override
        public JavalinDefaultRoutingApi addEndpoint(Endpoint endpoint) {
            endpoints.add(endpoint);
            return this;
        }

        @Override
        public <E extends Exception> JavalinDefaultRoutingApi exception(Class<E> type, ExceptionHandler<? super E> handler) {
            target.exception(type, handler);
            return this;
        }

        @Override
        public JavalinDefaultRoutingApi error(int status, String contentType, Handler handler) {
            target.error(status, contentType, handler);
            return this;
        }

        @Override
        public <E extends Exception> JavalinDefaultRoutingApi wsException(Class<E> type, WsExceptionHandler<? super E> handler) {
            target.wsException(type, handler);
            return this;
        }

        @Override
        public JavalinDefaultRoutingApi addWsHandler(WsHandlerType type, String path, Consumer<WsConfig> config,
                                                     RouteRole... roles) {
            target.addWsHandler(type, path, config, roles);
            return this;
        }
    }
}
