package it.firenze.streetcad.cli;

import it.firenze.streetcad.topology.Bbox;
import it.firenze.streetcad.topology.NetworkBuilder;
import picocli.CommandLine.Option;

/** The area and tolerance options of the topology commands (network build, validate, fix). */
final class TopologyOptions {

    @Option(names = "--bbox", paramLabel = "MINLON,MINLAT,MAXLON,MAXLAT",
            description = "Only the elements meeting this area (CRS84 degrees). Default: the whole cadastre.")
    String bbox;

    @Option(names = "--tolerance", defaultValue = "" + NetworkBuilder.DEFAULT_TOLERANCE, paramLabel = "METRES",
            description = "Ends this close to another end or element are snapped, or reported as undershoots and "
                    + "overshoots (default: ${DEFAULT-VALUE}).")
    double tolerance;

    /** The area, null for the whole cadastre. */
    double[] area() {
        try {
            return Bbox.parse(bbox);
        } catch (IllegalArgumentException e) {
            throw new UserFacingException("--bbox: " + e.getMessage());
        }
    }

    /** Metres, from 0 to a street's width many times over. */
    double tolerance() {
        if (!(tolerance >= 0) || tolerance > 100) {
            throw new UserFacingException("--tolerance must be between 0 and 100 metres, not " + tolerance);
        }
        return tolerance;
    }
}
