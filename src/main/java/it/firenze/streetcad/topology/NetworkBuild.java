package it.firenze.streetcad.topology;

import it.firenze.streetcad.access.Audit;
import it.firenze.streetcad.access.Actor;
import it.firenze.streetcad.db.Database;
import it.firenze.streetcad.db.JobLeases;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.LineString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;

/**
 * Builds the junction-to-junction network (elementi stradali between giunzioni) over the cadastre's current road
 * elements, all of them or those meeting a bbox: elements are split at at-grade crossings and where an end touches
 * another element, ends within the tolerance are snapped, bridges and tunnels cross unnoded, and every element gets
 * its from and to junction, with degree and kind. {@link #preview} says what would change; {@link #apply} does it
 * in one transaction. The first piece of a split element keeps its id, the others are new rows with a copy of its
 * attributes and lineage (source_key, source_attributes); events move to the piece they lie on. Running it again
 * on a built network changes nothing. A build job ({@link #begin} then {@link #complete}) is recorded in
 * network_build, one at a time, and an applied one re-validates the neighbourhood it changed.
 */
public final class NetworkBuild {

    /**
     * What a build does (or would do).
     *
     * @param sourceElements   road elements read
     * @param elements         elements after the build
     * @param junctions        junctions the built elements meet at
     * @param splitElements    source elements split into more than one piece
     * @param addedElements    new element rows (pieces beyond the first)
     * @param snappedEndpoints element ends moved within the tolerance
     * @param changedElements  source elements whose geometry changes (snapped or split)
     * @param removedElements  source elements with no length left once their ends are snapped together (shorter
     *                         than the tolerance, or zero-length already): they collapse into a junction
     * @param junctionsByKind  junction counts by kind (end, pseudo, intersection)
     * @param newJunctionsByKind the junctions among them where none stood before, by kind
     */
    public record Summary(int sourceElements, int elements, int junctions, int splitElements, int addedElements,
                          int snappedEndpoints, int changedElements, int removedElements,
                          Map<String, Integer> junctionsByKind, Map<String, Integer> newJunctionsByKind) {
    }

    /**
     * A build done or previewed.
     *
     * @param changes the element changes, as a fix reports them (what a preview shows on a map)
     * @param changed      the extent, in the storage CRS, of the changed elements as they were and as they are (or
     *                     would be); empty when nothing changes. The neighbourhood an apply re-validates.
     * @param validationId the recorded validation that re-judged the open issues around an applied build; null for a
     *                     preview, when nothing changed, or when the caller validates the whole cadastre itself
     */
    public record Result(Summary summary, List<TopologyFixes.Change> changes, Envelope changed, Long validationId) {
    }

    /** One piece of a source element, in order along it, from the start measure (metres) of the source. */
    record Piece(long sourceId, int index, Network.Element element, double startMeasure) {
    }

    /**
     * A recorded build job, holding the one-build-at-a-time lock until it has run; {@code actor} asked for it and,
     * for an apply, is named as the author of its changes.
     */
    record Job(long id, double[] bboxCrs84, double tolerance, boolean apply, Actor actor, Connection lock) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(NetworkBuild.class);

    private final Database database;
    private final TopologyReader reader;
    private final NetworkWriter writer;
    private final BuildJobStore jobs;
    private final TopologyGeoJson geoJson;

    public NetworkBuild(Database database) {
        this.database = database;
        this.reader = new TopologyReader(database);
        this.writer = new NetworkWriter(database);
        this.jobs = new BuildJobStore(database);
        this.geoJson = new TopologyGeoJson(database);
    }

    /**
     * Records a build job about to run (a preview, or an apply); empty when another build is queued or running on
     * any instance: two builds over the same elements would each split what the other is splitting.
     */
    Optional<Job> begin(double[] bboxCrs84, double tolerance, boolean apply, Actor actor) throws SQLException {
        Connection lock = jobs.lockBuilds();
        if (lock == null) return Optional.empty();
        try {
            return Optional.of(new Job(jobs.insertBuild(lock, bboxCrs84, tolerance, apply), bboxCrs84, tolerance,
                    apply, actor, lock));
        } catch (SQLException | RuntimeException e) {
            jobs.unlockBuilds(lock);
            throw e;
        }
    }

    /**
     * Runs a recorded job: its summary and changes are recorded; an apply then re-validates the neighbourhood it
     * changed. A failure is recorded on the job, not thrown (it runs in the background); the lock is released.
     */
    void complete(Job job) {
        try (JobLeases.Lease lease = database.leases().hold("network_build", job.id())) {
            jobs.updateBuild(job.id(), "building", 0, null, null, null);
            // An apply records itself written ('validating', with its summary and changes) in the transaction that
            // writes the network: a build killed after that says what it wrote, one killed before wrote nothing.
            Result result = run(job.bboxCrs84(), job.tolerance(), job.apply() ? job.actor() : null, (c, summary, changes) ->
                    jobs.recordBuildWritten(c, job.id(), summary, geoJson.changesGeoJson("\"network_build\":" + job.id(), changes)));
            if (!job.apply()) {
                String changes = geoJson.changesGeoJson("\"network_build\":" + job.id(), result.changes());
                jobs.updateBuild(job.id(), "previewed", 1, result.summary(), changes, null);
                return;
            }
            jobs.updateBuild(job.id(), "applied", 1, null, null, revalidated(result).validationId());
        } catch (SQLException | RuntimeException e) {
            LOG.error("network build {} failed", job.id(), e);
            try {
                jobs.failBuild(job.id(), e.getMessage() == null ? e.toString() : e.getMessage());
            } catch (SQLException f) {
                LOG.error("recording the failure of network build {} failed too", job.id(), f);
            }
        } finally {
            try {
                jobs.unlockBuilds(job.lock());
            } catch (SQLException e) {
                LOG.error("releasing the network build lock after job {} failed", job.id(), e);
            }
        }
    }

    /** The build queued or running, if any: what a second request is told to follow. */
    Optional<Long> unfinishedJob() throws SQLException {
        return Optional.ofNullable(jobs.unfinishedBuild());
    }

    /** A build job as JSON text (state, progress, summary), or null when there is none with that id. */
    String jobJson(long id) throws SQLException {
        return jobs.buildJson(id);
    }

    /** A build job's element changes as GeoJSON text (CRS84), or null before it has them. */
    String jobChangesGeoJson(long id) throws SQLException {
        return jobs.buildChanges(id);
    }

    /** What {@link #apply} would do, without changing the cadastre. bboxCrs84: minLon, minLat, maxLon, maxLat, or null. */
    public Result preview(double[] bboxCrs84, double tolerance) throws SQLException {
        return run(bboxCrs84, tolerance, null, Written.NONE);
    }

    /**
     * Builds the network and writes it in one transaction (nothing is written if anything fails), which names the
     * actor in the audit log and the history rows, then re-validates the neighbourhood it changed.
     */
    public Result apply(double[] bboxCrs84, double tolerance, Actor actor) throws SQLException {
        return revalidated(run(bboxCrs84, tolerance, actor, Written.NONE));
    }

    /**
     * {@link #apply} over the elements meeting an area of the storage CRS (an import's changed extent), widened by
     * the tolerance, so that new elements are joined to the old ones at its edge.
     */
    Result applyAround(Envelope changed, double tolerance, Actor actor) throws SQLException {
        Envelope area = new Envelope(changed);
        area.expandBy(tolerance);
        return revalidated(run(null, area, tolerance, actor, Written.NONE));
    }

    /** {@link #apply} without the re-validation, for a caller that validates the whole cadastre next. */
    Result applyBeforeFullValidation(double[] bboxCrs84, double tolerance, Actor actor) throws SQLException {
        return run(bboxCrs84, tolerance, actor, Written.NONE);
    }

    private Result revalidated(Result written) throws SQLException {
        OptionalLong validation = new TopologyValidation(database).revalidate(written.changed());
        return new Result(written.summary(), written.changes(), written.changed(),
                validation.isPresent() ? validation.getAsLong() : null);
    }

    /** What an apply records about itself in the transaction that writes the network. */
    @FunctionalInterface
    interface Written {
        Written NONE = (c, summary, changes) -> {
        };

        void record(Connection transaction, Summary summary, List<TopologyFixes.Change> changes) throws SQLException;
    }

    /** A preview ({@code actor} null) or an apply by the actor, which records itself written through {@code written}. */
    private Result run(double[] bboxCrs84, double tolerance, Actor actor, Written written) throws SQLException {
        return run(bboxCrs84, reader.toStorage(bboxCrs84), tolerance, actor, written);
    }

    /** {@code area}: the storage-CRS box of {@code bboxCrs84}, or one given directly (bboxCrs84 then null). */
    private Result run(double[] bboxCrs84, Envelope area, double tolerance, Actor actor, Written written)
            throws SQLException {
        boolean apply = actor != null;
        try (Connection c = database.connection()) {
            c.setAutoCommit(false);
            try {
                if (apply) {
                    Audit.bind(c, actor);
                    writer.lockNetwork(c);
                }
                List<TopologyLine> lines = reader.elements(c, area);
                Network network = new NetworkBuilder(tolerance).build(lines);
                List<Piece> pieces = pieces(lines, network);
                List<Long> collapsed = collapsed(lines, network);
                // Read before the write: which of the built junctions stand where none stood. They lie on the lines
                // read (or within the tolerance), which may reach beyond the area.
                Set<Coordinate> standing = new HashSet<>();
                Envelope reach = new Envelope();
                lines.forEach(l -> reach.expandToInclude(l.geometry().getEnvelopeInternal()));
                reach.expandBy(tolerance);
                if (!reach.isNull()) {
                    reader.junctions(c, area == null ? null : reach).values().forEach(p -> standing.add(p.getCoordinate()));
                }
                List<TopologyFixes.Change> changes = changes(lines, pieces, collapsed);
                Summary summary = summarise(lines, network, standing);
                if (apply) {
                    writer.writeNetwork(c, lines, network, pieces, collapsed);
                    Audit.record(c, actor, "network.build", "road_element", TopologyFixes.changedIds(changes),
                            TopologyFixes.auditDetails("network-build", bboxCrs84, tolerance, Map.of("elements",
                                    summary.elements(), "junctions", summary.junctions(), "split", summary.splitElements())));
                    written.record(c, summary, changes);
                }
                c.commit();
                return new Result(summary, changes, TopologyFixes.changedExtent(lines, changes), null);
            } catch (SQLException | RuntimeException e) {
                Database.rollback(c);
                throw e;
            }
        }
    }

    /** The first piece of an element updates it (when it differs), further pieces are inserted, collapsed go. */
    static List<TopologyFixes.Change> changes(List<TopologyLine> lines, List<Piece> pieces, List<Long> collapsed) {
        Map<Long, TopologyLine> byId = new HashMap<>();
        lines.forEach(l -> byId.put(l.elementId(), l));
        List<TopologyFixes.Change> changes = new ArrayList<>();
        for (Piece p : pieces) {
            LineString g = p.element().geometry();
            if (p.index() > 0) changes.add(new TopologyFixes.Change("insert", null, g));
            else if (!g.equalsExact(byId.get(p.sourceId()).geometry())) {
                changes.add(new TopologyFixes.Change("update", p.sourceId(), g));
            }
        }
        for (long id : collapsed) changes.add(new TopologyFixes.Change("delete", id, byId.get(id).geometry()));
        return changes;
    }

    static List<Piece> pieces(List<TopologyLine> lines, Network network) {
        int[] count = new int[lines.size()];
        double[] measure = new double[lines.size()];
        List<Piece> pieces = new ArrayList<>(network.elements().size());
        for (Network.Element e : network.elements()) {
            int s = e.source();
            pieces.add(new Piece(lines.get(s).elementId(), count[s]++, e, measure[s]));
            measure[s] += e.geometry().getLength();
        }
        return pieces;
    }

    /** Ids of the source elements that left no piece in the network. */
    static List<Long> collapsed(List<TopologyLine> lines, Network network) {
        boolean[] kept = new boolean[lines.size()];
        for (Network.Element e : network.elements()) kept[e.source()] = true;
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) if (!kept[i]) ids.add(lines.get(i).elementId());
        return ids;
    }

    private static Summary summarise(List<TopologyLine> lines, Network network, Set<Coordinate> standing) {
        int[] count = new int[lines.size()];
        boolean[] changed = new boolean[lines.size()];
        for (Network.Element e : network.elements()) {
            count[e.source()]++;
            if (!e.geometry().equalsExact(lines.get(e.source()).geometry())) changed[e.source()] = true;
        }
        int split = 0, changedCount = 0;
        for (int i = 0; i < lines.size(); i++) {
            if (count[i] > 1) split++;
            if (changed[i]) changedCount++;
        }
        Map<String, Integer> byKind = new TreeMap<>(), newByKind = new TreeMap<>();
        for (Network.Node j : network.junctions()) {
            byKind.merge(j.kind(), 1, Integer::sum);
            if (!standing.contains(j.point())) newByKind.merge(j.kind(), 1, Integer::sum);
        }
        int kept = (int) java.util.Arrays.stream(count).filter(n -> n > 0).count();
        return new Summary(lines.size(), network.elements().size(), network.junctions().size(), split,
                network.elements().size() - kept, network.snappedEndpoints(), changedCount, lines.size() - kept, byKind,
                newByKind);
    }
}
