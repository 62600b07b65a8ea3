package it.firenze.streetcad.features;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import it.firenze.streetcad.api.Json;

import java.io.IOException;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.OptionalLong;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One feature as every route answers with it, the read ({@code GET}/{@code HEAD} of an item) and the edits alike:
 * GeoJSON or HTML, {@code Content-Crs}, and a strong ETag made from the row's version, so that an editor can send
 * it back in {@code If-Match}. The version alone tags the GeoJSON in CRS84; another CRS or HTML add their name,
 * since a strong ETag belongs to one representation.
 */
public final class ItemResponses {

    private static final Pattern VERSION = Pattern.compile("\"(\\d{1,18})(?:-[a-z0-9]+)?\"");

    private ItemResponses() {
    }

    /**
     * Sends feature {@code id} of {@code type} with {@code status}; {@code decorate} may add members to it.
     * False (nothing sent) when there is no such feature.
     */
    public static boolean send(Context ctx, FeatureStore store, FeatureType type, long id, Crs crs, OffsetDateTime asOf,
                               int status, Consumer<ObjectNode> decorate) throws SQLException {
        String feature = store.item(type, id, crs, asOf).orElse(null);
        if (feature == null) return false;
        ObjectNode doc;
        try {
            doc = (ObjectNode) Json.mapper().readTree(feature);
        } catch (IOException e) {
            throw new SQLException("unreadable feature " + id, e);
        }
        String base = FeaturesModule.base(ctx) + "/collections/" + type.id();
        ArrayNode links = doc.putArray("links");
        // The feature's own link says what its body is: GeoJSON.
        FeaturesModule.selfLinks(links, base + "/items/" + id, FeaturesModule.GEOJSON, type.title() + " " + id);
        FeaturesModule.link(links, base, "collection", FeaturesModule.JSON, type.title());
        FeaturesModule.link(links, base + "/items/" + id + "/history", "version-history", FeaturesModule.JSON,
                "every version of " + type.title() + " " + id);
        if (decorate != null) decorate.accept(doc);
        boolean html = FeaturesModule.format(ctx) == FeaturesModule.Format.HTML;
        long version = doc.path("properties").path("version").asLong();
        String variant = html ? "-html" : crs.srid() == Crs.CRS84.srid() && !crs.northFirst() ? "" : "-" + crs.srid()
                + (crs.northFirst() ? "n" : "");
        String etag = "\"" + version + variant + "\"";
        ctx.header("ETag", etag);
        ctx.header("Content-Crs", "<" + crs.uri() + ">");
        Responses.allowCrossOrigin(ctx);
        String ifNoneMatch = ctx.header("If-None-Match");
        if (status == 200 && ifNoneMatch != null && (ifNoneMatch.strip().equals("*") || ifNoneMatch.contains(etag))) {
            ctx.status(304);
            return true;
        }
        ctx.status(status);
        if (html) {
            ctx.contentType(FeaturesModule.HTML);
            ctx.result(Html.page(type.title() + " " + id, doc));
        } else {
            ctx.contentType(FeaturesModule.GEOJSON);
            ctx.result(doc.toString());
        }
        return true;
    }

    /** The version an {@code If-Match} names, when it is one of ours (strong, as If-Match compares strongly). */
    public static OptionalLong version(String ifMatch) {
        if (ifMatch == null) return OptionalLong.empty();
        Matcher m = VERSION.matcher(ifMatch.strip());
        return m.matches() ? OptionalLong.of(Long.parseLong(m.group(1))) : OptionalLong.empty();
    }
}
