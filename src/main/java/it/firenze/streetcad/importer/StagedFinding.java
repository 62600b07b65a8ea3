package it.firenze.streetcad.importer;

import java.util.List;

public record StagedFinding(String rule, String severity, String explanation, List<Long> featureNumbers,
                            org.locationtech.jts.geom.Geometry location /*storage CRS*/) {
}
