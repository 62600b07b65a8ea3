package it.firenze.streetcad.topology;

import it.firenze.streetcad.db.Database;
import it.firenze.streetcad.importer.PreCommitCheck;
import it.firenze.streetcad.importer.StagedFinding;
import org.locationtech.jts.geom.Envelope;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The topology engine as the importer's pre-commit check: validates the staged lines (no junctions yet) and
 * reports each finding with the feature numbers of the source records involved.
 */
public final class TopologyPreCommitCheck implements PreCommitCheck {

    /** What a network build resolves by itself: crossings and ends on interiors are split, pseudo-nodes are ways. */
    private static final Set<Rule> RESOLVED_BY_BUILD = EnumSet.of(Rule.CROSSING_WITHOUT_JUNCTION,
            Rule.ENDPOINT_ON_INTERIOR, Rule.MERGEABLE_PSEUDO_NODE, Rule.PSEUDO_NODE);

    /** The finding that says the check could not run, in the report like any other. */
    static final String NOT_CHECKED = "topology-not-checked";

    private final ValidationOptions options;
    private final boolean revalidatesAfterCommit;

    private TopologyPreCommitCheck(ValidationOptions options, boolean revalidatesAfterCommit) {
        this.options = options;
        this.revalidatesAfterCommit = revalidatesAfterCommit;
    }

    /**
     * Every rule: for lines that are already junction to junction (a cadastre's own export). Once committed, the
     * neighbourhood the import changed is validated again, so its findings become the cadastre's open issues.
     */
    public static TopologyPreCommitCheck allRules() {
        return new TopologyPreCommitCheck(ValidationOptions.defaults(), true);
    }

    /**
     * For raw lines the import will build into a network: leaves out what the build itself resolves, and leaves the
     * open issues to the build, which validates what it wrote.
     */
    public static TopologyPreCommitCheck beforeNetworkBuild() {
        Set<Rule> rules = EnumSet.allOf(Rule.class);
        rules.removeAll(RESOLVED_BY_BUILD);
        return new TopologyPreCommitCheck(ValidationOptions.defaults().withRules(rules), false);
    }

    @Override
    public List<StagedFinding> check(Connection transaction, String stagingTable, int storageSrid) throws SQLException {
        List<TopologyLine> lines;
        try {
            lines = TopologyStore.stagedLines(transaction, stagingTable, storageSrid);
        } catch (HeapTooSmallException e) {
            return List.of(new StagedFinding(NOT_CHECKED, Severity.WARNING.id(), "the topology of this import was not "
                    + "checked: " + e.getMessage() + "; run streetcad validate after the commit", List.of(), null));
        }
        return new Validator(options).validate(lines).stream()
                .map(f -> new StagedFinding(f.rule().id(), f.severity().id(), f.explanation(),
                        f.sourceKeys().stream().map(Long::valueOf).toList(), f.location()))
                .toList();
    }

    @Override
    public void committed(Database database, Envelope changed) throws SQLException {
        if (revalidatesAfterCommit) new TopologyValidation(database).revalidate(changed);
    }
}
