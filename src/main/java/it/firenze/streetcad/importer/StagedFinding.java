package it.firenze.streetcad.importer;

import org.locationtech.jts.geom.Geometry;

import java.util.List;
import java.util.Map;

/**
 * What a {@link PreCommitCheck} found: the rule, {@code error}, {@code warning} or {@code info}, an explanation
 * a technician can act on, the source features involved and where (storage CRS).
 *
 * @param parameters  the rule's figures (a gap in metres, the number of parts)
 * @param fingerprint the finding's identity across validations (the topology engine's), or null
 */
public record StagedFinding(String rule, String severity, String explanation, List<Long> featureNumbers,
                            Geometry location, Map<String, Object> parameters, String fingerprint) {

    /** A reported finding with no figures and no identity across validations. */
    public StagedFinding(String rule, String severity, String explanation, List<Long> featureNumbers, Geometry location) {
        this(rule, severity, explanation, featureNumbers, location, Map.of(), null);
    }
}
