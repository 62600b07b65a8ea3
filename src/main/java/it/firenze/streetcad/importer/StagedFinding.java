package it.firenze.streetcad.importer;

import org.locationtech.jts.geom.Geometry;

import java.util.List;

/**
 * What a {@link PreCommitCheck} found: the rule, {@code error}, {@code warning} or {@code info}, an explanation
 * a technician can act on, the source features involved and where (storage CRS).
 */
public record StagedFinding(String rule, String severity, String explanation, List<Long> featureNumbers,
                            Geometry location) {
}
