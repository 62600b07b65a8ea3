package it.firenze.streetcad.web;

import io.javalin.http.Context;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The web map's static files, read once from the class path (they ship inside the jar) and answered with an
 * ETag, so that a wall screen reloading the page all day costs a 304. Files under {@code vendor/} carry their
 * version in the path and are cached for a year.
 */
final class WebAssets {

    private static final Pattern SAFE_PATH = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]*(/[A-Za-z0-9_-][A-Za-z0-9._-]*)*");
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "json", "application/json",
            "svg", "image/svg+xml",
            "png", "image/png",
            // Label glyphs (vendor/glyphs-…): MapLibre reads them as protocol buffers.
            "pbf", "application/x-protobuf",
            "txt", "text/plain; charset=utf-8",
            "md", "text/markdown; charset=utf-8");

    private record Asset(byte[] bytes, String type, String etag) {
    }

    private final String root;
    private final Map<String, Optional<Asset>> cache = new ConcurrentHashMap<>();

    WebAssets(String root) {
        this.root = root;
    }

    void serve(Context ctx, String path) {
        Asset asset = (SAFE_PATH.matcher(path).matches() ? cache.computeIfAbsent(path, this::load) : Optional.<Asset>empty())
                .orElseThrow(() -> WebMapModule.noSuchAsset(path));
        ctx.header("ETag", asset.etag());
        ctx.header("Cache-Control", path.startsWith("vendor/") ? "public, max-age=31536000, immutable" : "no-cache");
        ctx.header("X-Content-Type-Options", "nosniff");
        if (asset.etag().equals(ctx.header("If-None-Match"))) {
            ctx.status(304);
            return;
        }
        ctx.contentType(asset.type());
        ctx.result(asset.bytes());
    }

    private Optional<Asset> load(String path) {
        String type = TYPES.get(path.substring(path.lastIndexOf('.') + 1));
        if (type == null) return Optional.empty();
        try (InputStream in = WebAssets.class.getClassLoader().getResourceAsStream(root + path)) {
            if (in == null) return Optional.empty();
            byte[] bytes = in.readAllBytes();
            return Optional.of(new Asset(bytes, type, "\"" + sha256(bytes).substring(0, 32) + "\""));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
