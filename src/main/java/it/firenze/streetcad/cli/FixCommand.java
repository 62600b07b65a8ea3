package it.firenze.streetcad.cli;

import it.firenze.streetcad.db.CadastreStore;
import it.firenze.streetcad.topology.HeapTooSmallException;
import it.firenze.streetcad.topology.TopologyFixes;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.sql.SQLException;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

@Command(name = "fix", mixinStandardHelpOptions = true,
        description = {"Apply one safe topology fix: snap-endpoints, split-at-crossings, merge-pseudo-nodes, "
                + "delete-duplicates or remove-duplicate-vertices.",
                "Without --apply it only previews: the elements it would change, as GeoJSON (CRS84) on standard output."})
final class FixCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "FIX", description = "The fix to run.")
    String fix;

    @Mixin
    DatabaseOptions database;

    @Mixin
    ActorOptions as;

    @Mixin
    TopologyOptions topology;

    @Option(names = "--apply", description = "Make the change, in one transaction the history records.")
    boolean apply;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        TopologyFixes.Fix chosen = TopologyFixes.Fix.byId(fix).orElseThrow(() -> new UserFacingException(
                "unknown fix '" + fix + "'; the fixes are " + Arrays.stream(TopologyFixes.Fix.values())
                        .map(TopologyFixes.Fix::id).collect(Collectors.joining(", "))));
        double[] area = topology.area();
        double tolerance = topology.tolerance();
        try (CadastreStore store = CadastreStore.open(database.settings())) {
            TopologyFixes fixes = new TopologyFixes(store.database());
            if (apply) {
                TopologyFixes.Plan plan = fixes.apply(chosen, area, tolerance, as.actor(store.database(), "fix " + chosen.id()));
                spec.commandLine().getOut().println(chosen.id() + " applied: " + plan.counts());
                revalidated(spec, plan.validationId());
            } else {
                TopologyFixes.Plan plan = fixes.preview(chosen, area, tolerance);
                spec.commandLine().getOut().println(fixes.toGeoJson(plan));
                spec.commandLine().getErr().println(chosen.id() + " preview (nothing changed): " + plan.counts()
                        + "; run again with --apply to make the change");
            }
        } catch (SQLException | HeapTooSmallException e) {
            throw new UserFacingException(fix + " failed, nothing was changed: " + e.getMessage());
        }
        return 0;
    }

    /** Says which recorded validation refreshed the open issues around an applied change (none if none changed). */
    static void revalidated(CommandSpec spec, Long validationId) {
        if (validationId != null) {
            spec.commandLine().getOut().println("open issues around the change re-validated: validation " + validationId);
        }
    }
}
