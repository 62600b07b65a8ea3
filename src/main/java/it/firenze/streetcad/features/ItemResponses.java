package it.firenze.streetcad.features;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import it.firenze.streetcad.api.Json;
import it.firenze.streetcad.api.Problem;
import it.firenze.streetcad.api.ProblemException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One feature as every route answers with it, the read ({@code GET}/{@code HEAD} of an item) and the edits alike:
 * GeoJSON or HTML, {@code Content-Crs}, and a strong ETag made from the row's version and the feature as written, so
 * that an editor can send it back in {@code If-Match} and a cache revalidates what it shows.
 */
public final class ItemResponses {

    /** An ETag of ours: the version, the digest (a client may leave it out, naming the version alone), the variant. */
    private static final Pattern VERSION = Pattern.compile("\"(\\d{1,18})(?:\\.[0-9a-f]{12})?(?:-[a-z0-9]+)?\"");

    private ItemResponses() {
    }

    /**
     * Answers a read ({@code GET}/{@code HEAD}) of feature {@code id}: the feature, its version recorded at
     * {@code asOf} when given; 404 when there is none, and 404 naming its retirement when a DELETE (or a merge, an
     * import, an edit of its validity) retired it, with where its record can still be read.
     */
    public static void read(Context ctx, FeatureStore store, FeatureType type, long id, Crs crs, OffsetDateTime asOf)
            throws SQLException {
        FeatureStore.Item item = store.item(type, id, crs, asOf).orElseThrow(() -> ProblemException.notFound(
                "There is no " + type.id() + " feature '" + id + "'."));
        if (item.retired()) throw retired(ctx, store, type, id, item);
        send(ctx, type, id, crs, item, 200, null);
    }

    /**
     * The 404 of a retired item: when its validity ended ({@code valid_to}), and links to its history and to the
     * as-of read of the last instant the current view held it (Part 4's deleted item is gone from the collection; the
     * cadastre keeps its record).
     */
    public static ProblemException retired(Context ctx, FeatureStore store, FeatureType type, long id)
            throws SQLException {
        FeatureStore.Item item = store.item(type, id, Crs.CRS84, null).orElseThrow(() -> new IllegalStateException(
                type.id() + " " + id + " was found retired and is gone"));
        return retired(ctx, store, type, id, item);
    }

    /** {@link #retired(Context, FeatureStore, FeatureType, long)} of an item already read. */
    public static ProblemException retired(Context ctx, FeatureStore store, FeatureType type, long id,
                                           FeatureStore.Item item) throws SQLException {
        String validTo = parse(item.feature(), id).path("properties").path("valid_to").asText();
        String itemUrl = FeaturesModule.base(ctx) + "/collections/" + type.id() + "/items/" + id;
        List<Map<String, String>> links = new ArrayList<>();
        links.add(Map.of("href", itemUrl + "/history", "rel", "version-history", "type", FeaturesModule.JSON,
                "title", "every version of " + type.title() + " " + id));
        Optional<OffsetDateTime> shown = store.lastShown(type, id);
        String whereToRead = "its history lists every version";
        if (shown.isPresent()) {
            // The instant just before the current view lost it: the item as the cadastre last published it.
            String asOf = DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(shown.get().minusNanos(1_000)
                    .withOffsetSameInstant(ZoneOffset.UTC));
            links.add(Map.of("href", itemUrl + "?as-of=" + asOf, "rel", "predecessor-version", "type",
                    FeaturesModule.GEOJSON, "title", type.title() + " " + id + " as recorded at " + asOf
                            + ", before it was retired"));
            whereToRead += ", and as-of=" + asOf + " reads it as it was before it was retired";
        }
        return new ProblemException(Problem.of(404, "Not found", type.id() + " feature " + id + " was retired at "
                + validTo + ": it is no longer in the current view of the cadastre, which keeps its record; "
                + whereToRead + ".").withCode("retired").withMembers(Map.of("valid_to", validTo, "links", links)));
    }

    /**
     * Sends feature {@code id} of {@code type} as the cadastre holds it, whatever its validity (an edit's answer: a
     * DELETE's is the retired item), with {@code status}; {@code decorate} may add members to it. False (nothing
     * sent) when there is no such feature.
     */
    public static boolean send(Context ctx, FeatureStore store, FeatureType type, long id, Crs crs, OffsetDateTime asOf,
                               int status, Consumer<ObjectNode> decorate) throws SQLException {
        Optional<FeatureStore.Item> item = store.item(type, id, crs, asOf);
        item.ifPresent(found -> send(ctx, type, id, crs, found, status, decorate));
        return item.isPresent();
    }

    /** Sends {@code item}, feature {@code id} of {@code type} already read in {@code crs}, with {@code status}. */
    public static void send(Context ctx, FeatureType type, long id, Crs crs, FeatureStore.Item item, int status,
                            Consumer<ObjectNode> decorate) {
        ObjectNode doc = document(ctx, type, id, item);
        boolean html = FeaturesModule.format(ctx) == FeaturesModule.Format.HTML;
        // A read writes the feature once, for its digest and its body; an edit's answer adds members after.
        String written = doc.toString();
        String etag = etag(doc, written, html, crs);
        if (decorate != null) {
            decorate.accept(doc);
            written = doc.toString();
        }
        ctx.header("ETag", etag);
        ctx.header("Content-Crs", "<" + crs.uri() + ">");
        Responses.allowCrossOrigin(ctx);
        String ifNoneMatch = ctx.header("If-None-Match");
        if (status == 200 && ifNoneMatch != null && (ifNoneMatch.strip().equals("*") || ifNoneMatch.contains(etag))) {
            ctx.status(304);
            return;
        }
        ctx.status(status);
        if (html) {
            ctx.contentType(FeaturesModule.HTML);
            ctx.result(Html.page(type.title() + " " + id, doc));
        } else {
            Responses.text(ctx, FeaturesModule.GEOJSON, written);
        }
    }

    /**
     * The ETag of a feature another route renders (a viability record with its conflicts) as GeoJSON in CRS84,
     * {@code written} being its text as sent: the version If-Match is judged on, and the digest of that text, as an
     * item read's, so that a write answered with the record and a read of it give one ETag.
     */
    public static String etag(ObjectNode feature, String written) {
        return etag(feature, written, false, Crs.CRS84);
    }

    /** The ETag a read of feature {@code id} (GeoJSON in CRS84) answers with now; empty when there is none. */
    public static Optional<String> etag(Context ctx, FeatureStore store, FeatureType type, long id) throws SQLException {
        Optional<FeatureStore.Item> item = store.item(type, id, Crs.CRS84, null);
        if (item.isEmpty()) return Optional.empty();
        ObjectNode doc = document(ctx, type, id, item.get());
        return Optional.of(etag(doc, doc.toString(), false, Crs.CRS84));
    }

    /** The feature with its links, as a read answers with it. */
    private static ObjectNode document(Context ctx, FeatureType type, long id, FeatureStore.Item item) {
        ObjectNode doc = parse(item.feature(), id);
        String base = FeaturesModule.base(ctx) + "/collections/" + type.id();
        ArrayNode links = doc.putArray("links");
        // The feature's own link says what its body is: GeoJSON.
        FeaturesModule.selfLinks(links, base + "/items/" + id, FeaturesModule.GEOJSON, type.title() + " " + id);
        FeaturesModule.link(links, base, "collection", FeaturesModule.JSON, type.title());
        FeaturesModule.link(links, base + "/items/" + id + "/history", "version-history", FeaturesModule.JSON,
                "every version of " + type.title() + " " + id);
        return doc;
    }

    private static ObjectNode parse(String feature, long id) {
        try {
            return (ObjectNode) Json.mapper().readTree(feature);
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable feature " + id, e);
        }
    }

    /**
     * The row's version, then a digest of the feature as written: a strong ETag must change with the representation,
     * and a feature shows more than its row (an element its road's name, a junction the names of its streets), which
     * change without a new version of it. If-Match is judged on the version alone ({@link #version}): a renamed road
     * does not make an edit of its element's attributes stale. Another CRS or HTML add their name.
     */
    private static String etag(ObjectNode doc, String written, boolean html, Crs crs) {
        long version = doc.path("properties").path("version").asLong();
        String variant = html ? "-html" : crs.srid() == Crs.CRS84.srid() && !crs.northFirst() ? "" : "-" + crs.srid()
                + (crs.northFirst() ? "n" : "");
        byte[] digest;
        try {
            digest = MessageDigest.getInstance("SHA-256").digest(written.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
        return "\"" + version + "." + HexFormat.of().formatHex(digest, 0, DIGEST_BYTES) + variant + "\"";
    }

    /** Bytes of the digest an ETag carries: 48 bits, enough that no two representations of one feature share it. */
    private static final int DIGEST_BYTES = 6;

    /**
     * What an {@code If-Match} (or a body member standing for one, as a merge's {@code with_etag}) asks of an item:
     * {@code *} any version, since RFC 9110 §13.1.1 makes it true whenever the item has a current representation —
     * and a route that finds no item answers 404 before it weighs the condition (§13.2.1); else the version an ETag of
     * ours names (strong, as If-Match compares strongly). Empty when the value is none of these (a weak ETag, another
     * server's), which no version of the item matches.
     */
    public static Optional<Expected> expected(String ifMatch) {
        if (ifMatch == null) return Optional.empty();
        if (ifMatch.strip().equals("*")) return Optional.of(Expected.ANY);
        Matcher m = VERSION.matcher(ifMatch.strip());
        return m.matches() ? Optional.of(new Expected(OptionalLong.of(Long.parseLong(m.group(1))))) : Optional.empty();
    }

    /** The version a conditional write may change: the one named, or any when {@code version} is empty ({@code *}). */
    public record Expected(OptionalLong version) {
        public static final Expected ANY = new Expected(OptionalLong.empty());

        public static Expected of(long version) {
            return new Expected(OptionalLong.of(version));
        }

        public boolean admits(long current) {
            return version.isEmpty() || version.getAsLong() == current;
        }

        @Override
        public String toString() {
            return version.isEmpty() ? "*" : Long.toString(version.getAsLong());
        }
    }
}
