package it.firenze.streetcad.topology;

import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.LineString;

import java.util.List;

/**
 * A junction-to-junction network built from raw lines: every element runs from one junction to the next.
 *
 * @param snappedEndpoints line ends moved (within the tolerance) onto another end or onto another line
 * @param splits           pieces created beyond one per source line
 */
public record Network(List<Element> elements, List<Node> junctions, int sourceLines, int snappedEndpoints,
                      int splits) {

    /** A piece of source line {@code source} between junctions {@code from} and {@code to} (indexes in junctions). */
    public record Element(int source, TopologyLine line, LineString geometry, int from, int to) {
    }

    /** A junction (giunzione) with the number of element ends that meet there. */
    public record Node(Coordinate point, int degree, String kind) {
    }
}
