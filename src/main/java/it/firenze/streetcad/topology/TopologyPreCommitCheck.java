package it.firenze.streetcad.topology;

import it.firenze.streetcad.importer.PreCommitCheck;
import it.firenze.streetcad.importer.StagedFinding;

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

    private final ValidationOptions options;

    public TopologyPreCommitCheck(ValidationOptions options) {
        this.options = options;
    }

    /** Every rule: for lines that are already junction to junction (a cadastre's own export). */
    public static TopologyPreCommitCheck allRules() {
        return new TopologyPreCommitCheck(ValidationOptions.defaults());
    }

    /** For raw lines the import will build into a network: leaves out what the build itself resolves. */
    public static TopologyPreCommitCheck beforeNetworkBuild() {
        Set<Rule> rules = EnumSet.allOf(Rule.class);
        rules.removeAll(RESOLVED_BY_BUILD);
        return new TopologyPreCommitCheck(ValidationOptions.defaults().withRules(rules));
    }

    @Override
    public List<StagedFinding> check(Connection transaction, String stagingTable, int storageSrid) throws SQLException {
        List<TopologyLine> lines = TopologyStore.stagedLines(transaction, stagingTable, storageSrid);
        return new Validator(options).validate(lines).stream()
                .map(f -> new StagedFinding(f.rule().id(), f.severity().id(), f.explanation(),
                        f.sourceKeys().stream().map(Long::valueOf).toList(), f.location()))
                .toList();
    }
}
