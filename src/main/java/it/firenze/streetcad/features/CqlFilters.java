package it.firenze.streetcad.features;

import it.firenze.streetcad.api.ProblemException;
import it.firenze.streetcad.cql2.Cql2Exception;
import it.firenze.streetcad.cql2.Cql2Json;
import it.firenze.streetcad.cql2.Cql2Text;
import it.firenze.streetcad.cql2.Node;
import it.firenze.streetcad.cql2.Sql;
import it.firenze.streetcad.cql2.SqlTranslator;

/** The {@code filter} parameter (OGC API – Features Part 3): CQL2 text by default, or CQL2 JSON. */
final class CqlFilters implements ItemQueryParser.FilterParser {

    private final int storageSrid;

    CqlFilters(int storageSrid) {
        this.storageSrid = storageSrid;
    }

    @Override
    public Sql parse(FeatureType type, String filter, String lang, Crs filterCrs) {
        String language = lang == null ? "cql2-text" : lang;
        if (!language.equals("cql2-text") && !language.equals("cql2-json")) {
            throw ProblemException.badRequest("filter-lang", "filter-lang must be cql2-text or cql2-json, not '"
                    + Params.abbreviate(language) + "'.");
        }
        try {
            Node.Predicate tree = language.equals("cql2-json") ? Cql2Json.parse(filter) : Cql2Text.parse(filter);
            return new SqlTranslator(type.queryables(), storageSrid, filterCrs.srid(), filterCrs.northFirst())
                    .translate(tree);
        } catch (Cql2Exception e) {
            throw ProblemException.badRequest("filter", e.getMessage() + ".");
        }
    }
}
