package it.firenze.streetcad.features;

import it.firenze.streetcad.cql2.Sql;

import java.time.OffsetDateTime;
import java.util.List;

/**
 * A validated request for items of one collection: every value already checked, every filter already SQL with
 * bound values. {@code bbox} is {minX, minY, maxX, maxY} with x east, whatever the axis order the client used.
 * {@code after} is a keyset cursor: the page starts after that feature id (pages in id order only). {@code asOf},
 * when given, is the instant whose recorded state is read (null: now).
 */
public record ItemQuery(FeatureType type, double[] bbox, Crs bboxCrs, Crs crs, OffsetDateTime from, OffsetDateTime to,
                        boolean hasDatetime, int limit, int offset, Long after, List<String> properties,
                        List<SortKey> sortby, Sql filter, boolean exactCount, OffsetDateTime asOf) {

    public record SortKey(String property, boolean descending) {
    }
}
