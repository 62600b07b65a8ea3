package it.firenze.streetcad.topology;

import org.locationtech.jts.geom.Geometry;

import java.util.List;
import java.util.Map;

/**
 * One topology finding: which rule, how grave, why in one line, with what parameters, where (in the CRS of the
 * lines validated) and which elements and junctions. The fingerprint is the same on every run while the
 * geometry involved is unchanged, so an accepted exception stays accepted.
 */
public record Finding(Rule rule, String explanation, Map<String, Object> parameters, Geometry location,
                      List<Long> elementIds, List<Long> junctionIds, List<String> sourceKeys, String fingerprint) {

    public Severity severity() {
        return rule.severity();
    }
}
