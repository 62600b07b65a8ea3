package it.firenze.streetcad.topology;

import it.firenze.streetcad.db.Database;
import org.locationtech.jts.geom.LineString;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Two live road elements that meet at a junction of degree 2 made one, for an edit of a single pair (the
 * merge-pseudo-nodes fix does the same along whole chains, with the same {@link NetworkWriter.Merge}): the kept
 * element takes the joined line in its own digitised direction, the other's events move onto it measured from the
 * new start, the other is retired naming the kept one in {@code merged_into}, and the junction between is retired.
 * Only elements the merge-pseudo-nodes fix would join are joined: same level, layer, direction and attributes, and
 * one-way elements head to tail.
 */
public final class ElementMerge {

    /** What a merge did: the element kept, the one retired into it and the junction retired between them. */
    public record Merged(long element, long retired, long junction) {
    }

    /** Why two elements cannot be one, naming the property a client would have to change (or {@code with}). */
    public static final class Refused extends Exception {
        private final String property;

        Refused(String property, String message) {
            super(message, null, false, false);
            this.property = property;
        }

        public String property() {
            return property;
        }
    }

    private final TopologyReader reader;
    private final NetworkWriter writer;

    public ElementMerge(Database database) {
        this.reader = new TopologyReader(database);
        this.writer = new NetworkWriter(database);
    }

    /**
     * Joins {@code other} to {@code keep} in the caller's transaction, which has locked both rows.
     *
     * @throws Refused when they are not both live, do not meet at one junction of degree 2, or differ
     */
    public Merged merge(Connection c, long keep, long other) throws SQLException, Refused {
        List<TopologyLine> lines = reader.elementsById(c, keep, other);
        TopologyLine a = lines.stream().filter(l -> l.elementId() == keep).findFirst()
                .orElseThrow(() -> new Refused("id", "Road element " + keep + " is not live."));
        TopologyLine b = lines.stream().filter(l -> l.elementId() == other).findFirst()
                .orElseThrow(() -> new Refused("with", "Road element " + other + " is not live."));
        Set<Long> shared = new TreeSet<>(ends(a));
        shared.retainAll(ends(b));
        if (shared.size() != 1) {
            throw new Refused("with", shared.isEmpty()
                    ? "Road elements " + keep + " and " + other + " do not meet at a junction."
                    : "Road elements " + keep + " and " + other + " meet at both ends: joined they would be a ring.");
        }
        long junction = shared.iterator().next();
        int degree = degree(c, junction);
        if (degree != 2) {
            throw new Refused("with", "Junction " + junction + " joins " + degree + " element ends, not 2: merging there "
                    + "would cut the other elements off.");
        }
        List<String> differing = new ArrayList<>();
        a.attributes().forEach((name, value) -> {
            if (!Objects.equals(value, b.attributes().get(name))) differing.add(name);
        });
        if (!differing.isEmpty()) {
            throw new Refused(differing.getFirst(), "Road elements " + keep + " and " + other + " differ in "
                    + String.join(", ", differing) + ": make them equal first, or keep both.");
        }
        boolean aAtStart = NetworkWriter.Merge.startsAt(junction, a.fromJunction(), a.toJunction());
        boolean bAtStart = NetworkWriter.Merge.startsAt(junction, b.fromJunction(), b.toJunction());
        if (!TopologyLine.mergeable(a, aAtStart, b, bAtStart)) {
            throw new Refused("direction", "Road elements " + keep + " and " + other + " are one-way and meet head to "
                    + "head (or tail to tail): as one element one of them would run the wrong way.");
        }
        writer.merge(c, List.of(NetworkWriter.Merge.across(junction, keep, (LineString) a.geometry(), a.fromJunction(),
                a.toJunction(), other, (LineString) b.geometry(), b.fromJunction(), b.toJunction())));
        return new Merged(keep, other, junction);
    }

    private static Set<Long> ends(TopologyLine l) {
        Set<Long> ends = new TreeSet<>();
        if (l.fromJunction() != null) ends.add(l.fromJunction());
        if (l.toJunction() != null) ends.add(l.toJunction());
        return ends;
    }

    /** Element ends at the junction among the live elements (a loop counts twice). */
    private static int degree(Connection c, long junction) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT (SELECT count(*) FROM live_road_element WHERE "
                + "from_junction = ?) + (SELECT count(*) FROM live_road_element WHERE to_junction = ?)")) {
            st.setLong(1, junction);
            st.setLong(2, junction);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }
}
