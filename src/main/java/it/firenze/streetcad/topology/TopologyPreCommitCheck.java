package it.firenze.streetcad.topology;

import it.firenze.streetcad.access.Actor;
import it.firenze.streetcad.db.Database;
import it.firenze.streetcad.importer.PreCommitCheck;
import it.firenze.streetcad.importer.StagedFinding;
import it.firenze.streetcad.importer.StagedFindings;
import org.locationtech.jts.geom.Envelope;

import org.locationtech.jts.geom.Coordinate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The topology engine as the importer's pre-commit check: validates the staged lines (no junctions yet) and
 * reports each finding with the feature numbers of the source records involved.
 */
public final class TopologyPreCommitCheck implements PreCommitCheck {

    private static final Logger LOG = LoggerFactory.getLogger(TopologyPreCommitCheck.class);

    /** What a network build resolves by itself: crossings and ends on interiors are split, pseudo-nodes are ways. */
    private static final Set<Rule> RESOLVED_BY_BUILD = EnumSet.of(Rule.CROSSING_WITHOUT_JUNCTION,
            Rule.ENDPOINT_ON_INTERIOR, Rule.MERGEABLE_PSEUDO_NODE, Rule.PSEUDO_NODE);

    /** The finding that says the check could not run, in the report like any other. */
    static final String NOT_CHECKED = "topology-not-checked";

    /** What follows a commit: nothing, re-validating the changed neighbourhood, or building the network there. */
    private enum FollowUp { NONE, REVALIDATE, BUILD }

    private final ValidationOptions options;
    private final FollowUp followUp;

    private TopologyPreCommitCheck(ValidationOptions options, FollowUp followUp) {
        this.options = options;
        this.followUp = followUp;
    }

    /**
     * Every rule: for lines that are already junction to junction (a cadastre's own export). Once committed, the
     * neighbourhood the import changed is validated again, so its findings become the cadastre's open issues.
     */
    public static TopologyPreCommitCheck allRules() {
        return new TopologyPreCommitCheck(ValidationOptions.defaults(), FollowUp.REVALIDATE);
    }

    /**
     * For raw lines the import will build into a network: leaves out what the build itself resolves, and leaves the
     * open issues to the build, which validates what it wrote.
     */
    public static TopologyPreCommitCheck beforeNetworkBuild() {
        return new TopologyPreCommitCheck(rawLineOptions(), FollowUp.NONE);
    }

    /**
     * For raw lines whose network is built once they are committed ({@code buildNetwork=true} over HTTP): checked as
     * {@link #beforeNetworkBuild}, then the elements meeting the changed area are built from junction to junction,
     * joined to the old ones at its edge, and the neighbourhood re-validated into the open issues.
     */
    public static TopologyPreCommitCheck buildingTheNetwork() {
        return new TopologyPreCommitCheck(rawLineOptions(), FollowUp.BUILD);
    }

    private static ValidationOptions rawLineOptions() {
        Set<Rule> rules = EnumSet.allOf(Rule.class);
        rules.removeAll(RESOLVED_BY_BUILD);
        return ValidationOptions.defaults().withRules(rules);
    }

    /**
     * With at most this many lines per part (tests); by default parts are cut by the heap ({@link HeapBudget#parts}).
     */
    TopologyPreCommitCheck withPartsOf(long lines) {
        TopologyPreCommitCheck check = new TopologyPreCommitCheck(options, followUp);
        check.maxPartLines = lines;
        check.queueCapacity = queueCapacity;
        return check;
    }

    private long maxPartLines = Long.MAX_VALUE;

    /**
     * With queues of this many findings between the parts and the sink (tests); the default holds a few megabytes of
     * findings per part, enough for a part not to wait on the sink while the findings' COPY keeps up.
     */
    TopologyPreCommitCheck withQueuesOf(int findings) {
        TopologyPreCommitCheck check = withPartsOf(maxPartLines);
        check.queueCapacity = findings;
        return check;
    }

    private int queueCapacity = 8192;

    /** The most findings that were on their way from the parts to the sink at once in the last check in parts. */
    volatile long mostHeld;

    @Override
    public List<StagedFinding> check(Connection transaction, String stagingTable, int storageSrid) throws SQLException {
        List<StagedFinding> out = new ArrayList<>();
        check(transaction, stagingTable, storageSrid, out::add);
        return out;
    }

    /**
     * Checks the staged lines whole when they fit in the heap, else tile by tile: the extent cut into a grid of
     * parts, each read with a buffer of twice the tolerance so that whatever meets or comes near its lines is read
     * too, and each finding kept by the one part its location starts in (half-open tiles), so that findings on the
     * seams are neither lost nor said twice. A part that still does not fit is cut in four. Parts are validated
     * in parallel ({@link #WORKERS} at once, each in its share of the heap) while the next is read. Islands need the
     * whole network and are left to the validation after the commit, which the report says.
     */
    @Override
    public void check(Connection transaction, String stagingTable, int storageSrid, Consumer<StagedFinding> sink)
            throws SQLException {
        TopologyReader.StagedSize size = TopologyReader.stagedSize(transaction, stagingTable);
        if (size.extent() == null) return;
        long heapParts = HeapBudget.parts(size.lines(), size.vertices());
        // Parts checked at once each get their share of the heap.
        long parts = Math.max(heapParts > 1 ? heapParts * WORKERS : 1, Math.ceilDiv(size.lines(), maxPartLines));
        if (parts <= 1) {
            List<TopologyLine> lines;
            try {
                lines = TopologyReader.stagedLines(transaction, stagingTable, storageSrid, size);
            } catch (HeapTooSmallException e) {
                parts = 4; // the estimate was short: cut it after all
                lines = null;
            }
            if (lines != null) {
                validate(options, lines, f -> sink.accept(staged(f)));
                return;
            }
        }
        TopologyReader.indexStagedLines(transaction, stagingTable);
        // Twice as many parts as the average asks for: lines are never spread evenly.
        int grid = (int) Math.ceil(Math.sqrt(2.0 * parts));
        Envelope extent = size.extent();
        double width = Math.max(extent.getWidth(), 1) / grid;
        double height = Math.max(extent.getHeight(), 1) / grid;
        Deque<Envelope> tiles = new ArrayDeque<>();
        for (int i = 0; i < grid; i++) {
            for (int j = 0; j < grid; j++) {
                // the last row and column reach past the extent, so that its maximum lies inside a half-open tile
                tiles.add(new Envelope(extent.getMinX() + i * width, i == grid - 1 ? extent.getMaxX() + 1 : extent.getMinX() + (i + 1) * width,
                        extent.getMinY() + j * height, j == grid - 1 ? extent.getMaxY() + 1 : extent.getMinY() + (j + 1) * height));
            }
        }
        ValidationOptions partOptions = options.withRules(withoutIslands(options.rules()));
        long checked = 0;
        // Parts are read here, on the check's connection, and validated on WORKERS threads meanwhile; their
        // findings are handed over here, in the order the parts were read, so the sink is only ever called here.
        // A part's findings go through a queue of its own as the part makes them: a part whose queue is full waits
        // until the parts before it are handed over, so that no more than WORKERS queues of findings are ever held.
        ExecutorService pool = Executors.newFixedThreadPool(WORKERS, r -> Thread.ofPlatform().daemon()
                .name("streetcad-topology-part").unstarted(r));
        Deque<Part> validating = new ArrayDeque<>();
        HandOver held = new HandOver();
        try {
            while (!tiles.isEmpty()) {
                Envelope tile = tiles.pop();
                Envelope read = new Envelope(tile);
                read.expandBy(2 * options.tolerance() + ValidationOptions.JUNCTION_TOLERANCE);
                List<TopologyLine> lines;
                try {
                    lines = TopologyReader.stagedLines(transaction, stagingTable, storageSrid, read);
                    if (lines.size() > maxPartLines && tile.getWidth() > MIN_TILE_METRES) throw new HeapTooSmallException("");
                } catch (HeapTooSmallException e) {
                    if (tile.getWidth() <= MIN_TILE_METRES) {
                        sink.accept(new StagedFinding(NOT_CHECKED, Severity.WARNING.id(), "the topology of the lines in "
                                + tile + " was not checked: " + e.getMessage(), List.of(), null));
                        continue;
                    }
                    double midX = (tile.getMinX() + tile.getMaxX()) / 2, midY = (tile.getMinY() + tile.getMaxY()) / 2;
                    tiles.push(new Envelope(tile.getMinX(), midX, tile.getMinY(), midY));
                    tiles.push(new Envelope(midX, tile.getMaxX(), tile.getMinY(), midY));
                    tiles.push(new Envelope(tile.getMinX(), midX, midY, tile.getMaxY()));
                    tiles.push(new Envelope(midX, tile.getMaxX(), midY, tile.getMaxY()));
                    continue;
                }
                BlockingQueue<StagedFinding> queue = new ArrayBlockingQueue<>(queueCapacity);
                validating.add(new Part(pool.submit(() -> {
                    try {
                        validate(partOptions, lines, f -> {
                            if (f.location() != null && owns(tile, f.location().getCoordinate())) held.put(queue, staged(f));
                        });
                    } finally {
                        held.put(queue, END);
                    }
                    return null;
                }), queue));
                checked++;
                while (validating.size() >= WORKERS) held.drain(validating.removeFirst(), sink);
            }
            while (!validating.isEmpty()) held.drain(validating.removeFirst(), sink);
        } finally {
            pool.shutdownNow();
        }
        LOG.info("topology checked in {} parts of the staged lines' extent, at most {} findings on their way at once",
                checked, held.most);
        mostHeld = held.most;
        if (options.rules().contains(Rule.ISLAND)) {
            sink.accept(new StagedFinding(NOT_CHECKED, Severity.INFO.id(), String.format("islands were not looked for: "
                    + "the %,d lines were checked in %d parts to fit in the heap, and a part cannot tell an island; "
                    + "run streetcad validate after the commit", size.lines(), checked), List.of(), null));
        }
    }

    /**
     * Validates staged lines as the cadastre will hold them once committed. They have no junctions (none is made
     * before a network build), and an end without one is derived from the committed element (open_topology_issue,
     * V28), not found here: so no junctions are checked.
     */
    private void validate(ValidationOptions with, List<TopologyLine> lines, Consumer<Finding> sink) {
        new Validator(with).validate(lines, null, null, null, progress -> { }, sink);
    }

    /** Parts validated at once (the machine's cores, at most four): the noding of each part is the dominant cost. */
    private static final int WORKERS = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));

    /** A part being validated, and the queue its findings come through, ended by {@link #END}. */
    private record Part(Future<?> validated, BlockingQueue<StagedFinding> findings) {
    }

    /** Ends a part's queue (identity). */
    private static final StagedFinding END = new StagedFinding("", "", "", List.of(), null);

    /** The findings of all parts that are on their way (validated, not yet handed over), and the most there were. */
    private static final class HandOver {
        private final AtomicLong onTheirWay = new AtomicLong();
        private volatile long most;

        /** On a part's thread: waits while the part's queue is full. */
        void put(BlockingQueue<StagedFinding> queue, StagedFinding f) {
            try {
                if (f != END) {
                    long now = onTheirWay.incrementAndGet();
                    if (now > most) most = now; // a race only loses a maximum that another thread is raising anyway
                }
                queue.put(f);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("the topology check was interrupted", e);
            }
        }

        /** On the check's thread: hands the part's findings over as they come, until the part is done. */
        void drain(Part part, Consumer<StagedFinding> sink) {
            try {
                for (StagedFinding f = part.findings().take(); f != END; f = part.findings().take()) {
                    onTheirWay.decrementAndGet();
                    sink.accept(f);
                }
                part.validated().get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("the topology check was interrupted", e);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RuntimeException r) throw r;
                if (e.getCause() instanceof Error error) throw error;
                throw new IllegalStateException(e.getCause());
            }
        }
    }

    /** Tiles are not cut below this: a part that small and still too big for the heap is reported unchecked. */
    private static final double MIN_TILE_METRES = 10;

    private static Set<Rule> withoutIslands(Set<Rule> rules) {
        Set<Rule> out = EnumSet.copyOf(rules);
        out.remove(Rule.ISLAND);
        return out;
    }

    /** Half-open: a point on the seam of two tiles belongs to the one on its east or north. */
    private static boolean owns(Envelope tile, Coordinate p) {
        return p.x >= tile.getMinX() && p.x < tile.getMaxX() && p.y >= tile.getMinY() && p.y < tile.getMaxY();
    }

    /**
     * A finding about a staged line. The one about the cadastre to be rather than the source (an end without a
     * junction) is not made: it is derived from the committed element (V28).
     */
    private static StagedFinding staged(Finding f) {
        return new StagedFinding(f.rule().id(), f.severity().id(), f.explanation(),
                f.sourceKeys().stream().map(Long::valueOf).toList(), f.location(), f.parameters(), f.fingerprint());
    }

    /** The staged lines are judged among themselves; the seams with the cadastre are the follow-up's. */
    @Override
    public boolean readsOnlyTheStagedLines() {
        return true;
    }

    /** Only the re-validating follow-up: a build changes the lines, so the check's findings are not the build's. */
    @Override
    public boolean recordsFindings() {
        return followUp == FollowUp.REVALIDATE;
    }

    @Override
    public void committed(Database database, Envelope changed) throws SQLException {
        committed(database, changed, Actor.system("import follow-up"));
    }

    @Override
    public void committed(Database database, Envelope changed, Actor actor) throws SQLException {
        committed(database, changed, actor, null);
    }

    /** Re-validating: the check's own findings recorded, and only the seams with the rest validated again. */
    @Override
    public void committed(Database database, Envelope changed, Actor actor, StagedFindings recorded) throws SQLException {
        switch (followUp) {
            case REVALIDATE -> {
                if (recorded == null) new TopologyValidation(database).revalidate(changed);
                else new TopologyValidation(database).record(changed, recorded);
            }
            case BUILD -> new NetworkBuild(database).applyAround(changed, NetworkBuilder.DEFAULT_TOLERANCE, actor);
            case NONE -> { }
        }
    }
}
