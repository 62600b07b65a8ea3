package it.firenze.streetcad.topology;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static it.firenze.streetcad.topology.Lines.line;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Given raw lines, building the network yields elements that run from junction to junction. */
class NetworkBuilderTest {

    private final NetworkBuilder builder = new NetworkBuilder(NetworkBuilder.DEFAULT_TOLERANCE);

    @Test
    void twoStreetsCrossingAtGradeAreSplitIntoFourElementsAroundOneJunction() {
        Network n = builder.build(List.of(line("a", "LINESTRING(0 0, 100 0)"), line("b", "LINESTRING(50 -50, 50 50)")));
        assertEquals(4, n.elements().size());
        assertEquals(5, n.junctions().size());
        assertEquals(List.of(4), degreesAbove(n, 1));
        assertEquals("intersection", n.junctions().stream().filter(j -> j.degree() == 4).findFirst().orElseThrow().kind());
        assertEquals(2, n.splits(), "two source lines became four elements");
    }

    @Test
    void aStreetEndingOnAnotherSplitsItIntoATJunction() {
        Network n = builder.build(List.of(line("main", "LINESTRING(0 0, 100 0)"), line("side", "LINESTRING(40 0, 40 60)")));
        assertEquals(3, n.elements().size());
        assertEquals(List.of(3), degreesAbove(n, 1));
    }

    @Test
    void aBridgeOverARoadCrossesItWithoutAJunction() {
        TopologyLine bridge = line("bridge", "LINESTRING(50 -50, 50 50)").withLevel("bridge", 1);
        Network n = builder.build(List.of(line("road", "LINESTRING(0 0, 100 0)"), bridge));
        assertEquals(2, n.elements().size());
        assertEquals(List.of(), degreesAbove(n, 1));
        assertTrue(n.junctions().stream().allMatch(j -> j.kind().equals("end")));
    }

    @Test
    void aTunnelEndMeetsTheRoadItContinues() {
        TopologyLine tunnel = line("tunnel", "LINESTRING(100 0, 200 0)").withLevel("tunnel", -1);
        Network n = builder.build(List.of(line("road", "LINESTRING(0 0, 100 0)"), tunnel,
                line("above", "LINESTRING(150 -50, 150 50)")));
        assertEquals(3, n.elements().size(), "the road above the tunnel is not a junction");
        assertEquals(List.of(2), degreesAbove(n, 1));
    }

    @Test
    void aStreetStoppingShortOfAnotherWithinTheToleranceIsSnappedOntoIt() {
        Network n = builder.build(List.of(line("main", "LINESTRING(0 0, 100 0)"), line("side", "LINESTRING(40 0.3, 40 60)")));
        assertEquals(3, n.elements().size());
        assertEquals(List.of(3), degreesAbove(n, 1));
        assertEquals(1, n.snappedEndpoints());
    }

    @Test
    void aStreetStoppingShortBeyondTheToleranceIsLeftAlone() {
        Network n = builder.build(List.of(line("main", "LINESTRING(0 0, 100 0)"), line("side", "LINESTRING(40 0.8, 40 60)")));
        assertEquals(2, n.elements().size());
        assertEquals(0, n.snappedEndpoints());
    }

    @Test
    void endsWithinTheToleranceBecomeOneJunction() {
        Network n = builder.build(List.of(line("a", "LINESTRING(0 0, 100 0)"), line("b", "LINESTRING(100.2 0.1, 200 0)")));
        assertEquals(2, n.elements().size());
        assertEquals(3, n.junctions().size());
        assertEquals(List.of(2), degreesAbove(n, 1));
        assertEquals("pseudo", n.junctions().stream().filter(j -> j.degree() == 2).findFirst().orElseThrow().kind());
    }

    @Test
    void everyPieceKnowsTheSourceFeatureItCameFrom() {
        Network n = builder.build(List.of(line("way/1", "LINESTRING(0 0, 100 0)"), line("way/2", "LINESTRING(50 -50, 50 50)")));
        Set<String> keys = n.elements().stream().map(e -> e.line().sourceKey()).collect(Collectors.toSet());
        assertEquals(Set.of("way/1", "way/2"), keys);
        assertEquals(2, n.elements().stream().filter(e -> e.line().sourceKey().equals("way/1")).count());
        double total = n.elements().stream().mapToDouble(e -> e.geometry().getLength()).sum();
        assertEquals(200, total, 1e-9);
    }

    private static List<Integer> degreesAbove(Network n, int degree) {
        return n.junctions().stream().map(Network.Node::degree).filter(d -> d > degree).sorted().toList();
    }
}
