package it.firenze.streetcad.api;

import io.javalin.http.Context;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Collection;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The absolute URL clients reach this server at, for links ({@code href}s, the OpenAPI {@code servers}, TileJSON),
 * without a trailing slash. In order: the configured public URL; else, for a request from a trusted proxy, what the
 * proxy says in {@code Forwarded} or {@code X-Forwarded-Proto/-Host/-Port/-Prefix}; else the address and port the
 * client's connection reached. Never the {@code Host} header itself, which any client can set to anything and which
 * would otherwise end up in links that caches and other users receive.
 */
public final class PublicBaseUrl {

    private static final String ATTRIBUTE = "streetcad.publicBaseUrl";
    private static final Pattern HOST = Pattern.compile("(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?|\\[[0-9A-Fa-f:.]+\\])(?::\\d{1,5})?");
    private static final Pattern PREFIX = Pattern.compile("(?:/[A-Za-z0-9._~-]+)*");
    private static final PublicBaseUrl FROM_CONNECTION = new PublicBaseUrl(null, Set.of());

    private final String configured;
    private final Set<InetAddress> trustedProxies;

    /**
     * @param configured     the public URL (http or https, optionally with a path) or null
     * @param trustedProxies addresses of the reverse proxies whose forwarding headers are believed
     */
    public PublicBaseUrl(String configured, Collection<String> trustedProxies) {
        this.configured = configured == null || configured.isBlank() ? null : checked(configured.strip());
        Set<InetAddress> proxies = new HashSet<>();
        for (String p : trustedProxies) {
            if (p.isBlank()) continue;
            try {
                proxies.add(InetAddress.getByName(p.strip()));
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("trusted proxy '" + p + "' is not an address", e);
            }
        }
        this.trustedProxies = Set.copyOf(proxies);
    }

    /** Links from the address the client's connection reached; no configured URL, no proxy believed. */
    public static PublicBaseUrl fromConnection() {
        return FROM_CONNECTION;
    }

    /** The base URL for links in the answer to this request. */
    public static String of(Context ctx) {
        PublicBaseUrl resolver = ctx.attribute(ATTRIBUTE);
        return (resolver == null ? FROM_CONNECTION : resolver).resolve(ctx);
    }

    /** Makes {@link #of} use this resolver for the request; the HTTP server does it for every request. */
    void attach(Context ctx) {
        ctx.attribute(ATTRIBUTE, this);
    }

    /** Whether the server looks behind a trusted proxy's forwarding headers for this request. */
    public boolean fromTrustedProxy(Context ctx) {
        if (trustedProxies.isEmpty()) return false;
        try {
            return trustedProxies.contains(InetAddress.getByName(ctx.req().getRemoteAddr()));
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** Whether the client reached the server over HTTPS (directly, or as the public URL or a trusted proxy says). */
    public static boolean ofRequestSecure(Context ctx) {
        return of(ctx).startsWith("https:");
    }

    String resolve(Context ctx) {
        if (configured != null) return configured;
        if (fromTrustedProxy(ctx)) {
            String forwarded = forwarded(ctx);
            if (forwarded != null) return forwarded;
        }
        String local = ctx.req().getLocalAddr();
        if (local.contains(":")) local = "[" + local + "]";
        return ctx.req().getScheme() + "://" + local + ":" + ctx.req().getLocalPort();
    }

    /** From the proxy's own (last) Forwarded element, else the X-Forwarded-* headers; null when they say nothing usable. */
    private static String forwarded(Context ctx) {
        String proto = null, host = null, prefix = null;
        String forwarded = last(ctx.header("Forwarded"));
        if (forwarded != null) {
            for (String pair : forwarded.split(";")) {
                int eq = pair.indexOf('=');
                if (eq < 0) continue;
                String name = pair.substring(0, eq).strip().toLowerCase(Locale.ROOT);
                String value = pair.substring(eq + 1).strip().replace("\"", "");
                if (name.equals("proto")) proto = value;
                if (name.equals("host")) host = value;
            }
        } else {
            proto = last(ctx.header("X-Forwarded-Proto"));
            host = last(ctx.header("X-Forwarded-Host"));
            String port = last(ctx.header("X-Forwarded-Port"));
            if (host != null && port != null && port.matches("\\d{1,5}") && !host.contains(":")) host += ":" + port;
        }
        prefix = last(ctx.header("X-Forwarded-Prefix"));
        if (proto == null) proto = ctx.req().getScheme();
        proto = proto.toLowerCase(Locale.ROOT);
        if (host == null || !HOST.matcher(host).matches() || !(proto.equals("http") || proto.equals("https"))) return null;
        if (prefix == null || prefix.equals("/")) prefix = "";
        if (prefix.endsWith("/")) prefix = prefix.substring(0, prefix.length() - 1);
        if (!PREFIX.matcher(prefix).matches()) prefix = "";
        return proto + "://" + host + prefix;
    }

    private static String last(String header) {
        if (header == null || header.isBlank()) return null;
        String[] parts = header.split(",");
        String last = parts[parts.length - 1].strip();
        return last.isEmpty() ? null : last;
    }

    private static String checked(String url) {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the public URL '" + url + "' is not a URL", e);
        }
        if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null
                || uri.getQuery() != null || uri.getFragment() != null) {
            throw new IllegalArgumentException("the public URL must be an http or https URL without query, like "
                    + "https://gis.example.org/streetcad; got '" + url + "'");
        }
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
