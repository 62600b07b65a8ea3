package it.firenze.streetcad.features;

import it.firenze.streetcad.api.ProblemException;
import it.firenze.streetcad.cql2.Queryable;
import it.firenze.streetcad.cql2.Sql;

import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns the query string of {@code /collections/{id}/items} into an {@link ItemQuery}, rejecting with a 400 that
 * names the parameter anything the API does not define (OGC API – Features requires that for unknown parameters).
 */
final class ItemQueryParser {

    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 10_000;
    /** Far beyond any collection, and low enough that offset + limit never overflows an int. */
    static final int MAX_OFFSET = 1_000_000_000;

    static final Set<String> PARAMETERS = Set.of("f", "bbox", "bbox-crs", "crs", "datetime", "limit", "offset", "after",
            "numberMatched", "properties", "sortby", "filter", "filter-lang", "filter-crs", "as-of");

    private final int storageSrid;
    private final FilterParser filters;

    ItemQueryParser(int storageSrid, FilterParser filters) {
        this.storageSrid = storageSrid;
        this.filters = filters;
    }

    /** Translates a CQL2 {@code filter} (with its {@code filter-lang} and {@code filter-crs}) to SQL. */
    interface FilterParser {
        Sql parse(FeatureType type, String filter, String lang, Crs filterCrs);
    }

    ItemQuery parse(FeatureType type, Map<String, List<String>> params) {
        Map<String, Queryable> queryables = type.queryables();
        for (String name : params.keySet()) {
            if (!PARAMETERS.contains(name) && (!queryables.containsKey(name) || !queryables.get(name).type().isScalar())) {
                throw ProblemException.badRequest(name, "'" + Params.abbreviate(name) + "' is neither a parameter of "
                        + "this operation nor a queryable property of " + type.id() + ".");
            }
            if (params.get(name).size() > 1) {
                throw ProblemException.badRequest(name, "Give " + name + " once, not " + params.get(name).size() + " times.");
            }
        }
        Crs crs = crs(params, "crs");
        Crs bboxCrs = crs(params, "bbox-crs");
        double[] bbox = null;
        String bboxText = one(params, "bbox");
        if (bboxText != null) bbox = bbox(bboxText, bboxCrs);
        else if (params.containsKey("bbox-crs")) {
            throw ProblemException.badRequest("bbox-crs", "bbox-crs only makes sense together with bbox.");
        }
        OffsetDateTime from = null;
        OffsetDateTime to = null;
        String datetime = one(params, "datetime");
        if (datetime != null) {
            OffsetDateTime[] interval = Params.interval("datetime", datetime);
            from = interval[0];
            to = interval[1];
        }
        String limitText = one(params, "limit");
        int limit = limitText == null ? DEFAULT_LIMIT : Params.limit("limit", limitText, MAX_LIMIT);
        String offsetText = one(params, "offset");
        int offset = offsetText == null ? 0 : Params.nonNegative("offset", offsetText, MAX_OFFSET);
        String count = one(params, "numberMatched");
        if (count != null && !count.equals("exact") && !count.equals("estimated")) {
            throw ProblemException.badRequest("numberMatched", "numberMatched must be 'exact' or 'estimated'.");
        }
        List<String> properties = properties(type, one(params, "properties"));
        List<ItemQuery.SortKey> sortby = sortby(queryables, one(params, "sortby"));
        String afterText = one(params, "after");
        Long after = null;
        if (afterText != null) {
            if (!sortby.isEmpty()) {
                throw ProblemException.badRequest("after", "after pages in feature id order; with sortby, page with offset.");
            }
            if (!afterText.strip().matches("-?\\d{1,18}")) {
                throw ProblemException.badRequest("after", "after must be a feature id; '" + Params.abbreviate(afterText)
                        + "' is not.");
            }
            after = Long.parseLong(afterText.strip());
        }

        Sql filter = new Sql();
        for (var e : params.entrySet()) {
            Queryable q = queryables.get(e.getKey());
            if (q == null || PARAMETERS.contains(e.getKey())) continue;
            if (!filter.isEmpty()) filter.append(" AND ");
            filter.append(q.sql() + " = ").bind(simpleValue(q, e.getValue().getFirst()));
        }
        String cql = one(params, "filter");
        if (cql != null) {
            Sql translated = filters.parse(type, cql, one(params, "filter-lang"), crs(params, "filter-crs"));
            if (!filter.isEmpty()) filter.append(" AND ");
            filter.append("(").append(translated).append(")");
        } else if (params.containsKey("filter-lang") || params.containsKey("filter-crs")) {
            String name = params.containsKey("filter-lang") ? "filter-lang" : "filter-crs";
            throw ProblemException.badRequest(name, name + " only makes sense together with filter.");
        }
        return new ItemQuery(type, bbox, bboxCrs, crs, from, to, datetime != null, limit, offset, after, properties, sortby,
                filter, "exact".equals(count), asOf(params));
    }

    /** {@code as-of}: an instant, not in the future (the cadastre cannot say yet what it will have recorded). */
    OffsetDateTime asOf(Map<String, List<String>> params) {
        String text = one(params, "as-of");
        if (text == null) return null;
        OffsetDateTime asOf = Params.instant("as-of", text);
        if (asOf.toInstant().isAfter(java.time.Instant.now())) {
            throw ProblemException.badRequest("as-of", "as-of must not lie in the future; the records now are "
                    + "what an item without as-of shows.");
        }
        return asOf;
    }

    Crs crs(Map<String, List<String>> params, String name) {
        String text = one(params, name);
        if (text == null) return Crs.CRS84;
        return Crs.find(text, storageSrid).orElseThrow(() -> ProblemException.badRequest(name, "The CRS '"
                + Params.abbreviate(text) + "' in " + name + " is not offered; see the collection's crs list."));
    }

    static String one(Map<String, List<String>> params, String name) {
        List<String> values = params.get(name);
        return values == null || values.isEmpty() ? null : values.getFirst();
    }

    /**
     * bbox in the axis order of its CRS, returned as {minX, minY, maxX, maxY} with x east. In a geographic CRS a
     * west edge east of the east edge is a box across the antimeridian (OGC API – Features Part 1, 7.15.3).
     */
    static double[] bbox(String text, Crs crs) {
        double[] n = Params.numbers("bbox", text, 4, 6);
        double[] given = n.length == 4 ? n : new double[]{n[0], n[1], n[3], n[4]};
        double[] b = crs.northFirst() ? new double[]{given[1], given[0], given[3], given[2]} : given;
        if (b[1] > b[3] || (b[0] > b[2] && !crs.geographic())) {
            throw ProblemException.badRequest("bbox", "bbox must be minimum corner then maximum corner; a minimum "
                    + "is above its maximum.");
        }
        if (crs.geographic()) {
            if (Math.max(Math.abs(b[1]), Math.abs(b[3])) > 90) {
                throw ProblemException.badRequest("bbox", "A latitude in bbox is beyond ±90°.");
            }
            if (Math.max(Math.abs(b[0]), Math.abs(b[2])) > 180) {
                throw ProblemException.badRequest("bbox", "A longitude in bbox is beyond ±180°.");
            }
        }
        return b;
    }

    private static List<String> properties(FeatureType type, String text) {
        if (text == null) return null;
        Set<String> names = new LinkedHashSet<>();
        for (String name : text.split(",")) {
            String n = name.strip();
            if (n.isEmpty()) continue;
            if (type.property(n).isEmpty()) {
                throw ProblemException.badRequest("properties", "properties names '" + Params.abbreviate(n)
                        + "', which " + type.id() + " does not have.");
            }
            names.add(n);
        }
        return List.copyOf(names);
    }

    private static List<ItemQuery.SortKey> sortby(Map<String, Queryable> queryables, String text) {
        if (text == null) return List.of();
        List<ItemQuery.SortKey> keys = new ArrayList<>();
        for (String part : text.split(",")) {
            String p = part.strip();
            boolean descending = p.startsWith("-");
            if (p.startsWith("-") || p.startsWith("+")) p = p.substring(1);
            String[] words = p.split("\\s+");
            if (words.length == 2 && (words[1].equalsIgnoreCase("DESC") || words[1].equalsIgnoreCase("ASC"))) {
                descending = words[1].equalsIgnoreCase("DESC");
                p = words[0];
            }
            Queryable q = queryables.get(p);
            if (q == null || !q.type().isScalar()) {
                throw ProblemException.badRequest("sortby", "sortby names '" + Params.abbreviate(p)
                        + "', which is not a sortable property; see /queryables.");
            }
            keys.add(new ItemQuery.SortKey(p, descending));
        }
        return keys;
    }

    private static Object simpleValue(Queryable q, String text) {
        return switch (q.type()) {
            case INTEGER -> {
                if (!text.strip().matches("-?\\d{1,18}")) {
                    throw ProblemException.badRequest(q.name(), q.name() + " must be an integer; '"
                            + Params.abbreviate(text) + "' is not.");
                }
                yield Long.parseLong(text.strip());
            }
            case NUMBER -> BigDecimal.valueOf(Params.number(q.name(), text));
            case TIMESTAMP -> Params.instant(q.name(), text);
            default -> text;
        };
    }
}
