package it.firenze.streetcad.cli;

import it.firenze.streetcad.db.CadastreStore;
import it.firenze.streetcad.topology.HeapTooSmallException;
import it.firenze.streetcad.topology.NetworkBuild;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.sql.SQLException;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "network", mixinStandardHelpOptions = true,
        description = "Operations on the road network (rete stradale) as a whole.",
        subcommands = NetworkCommand.Build.class)
final class NetworkCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing required subcommand");
    }

    @Command(name = "build", mixinStandardHelpOptions = true,
            description = {"Build the junction-to-junction network over the stored road elements: split them where "
                    + "they cross at grade and where an end touches another element, snap ends within the tolerance, "
                    + "leave bridges and tunnels unnoded, and give every element its from and to junction.",
                    "Applied in one transaction; --dry-run only says what would change."})
    static final class Build implements Callable<Integer> {

        @Mixin
        DatabaseOptions database;

        @Mixin
        ActorOptions as;

        @Mixin
        TopologyOptions topology;

        @Option(names = "--dry-run", description = "Preview: report what the build would do and change nothing.")
        boolean dryRun;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            double[] area = topology.area();
            double tolerance = topology.tolerance();
            try (CadastreStore store = CadastreStore.open(database.settings())) {
                NetworkBuild build = new NetworkBuild(store.database());
                NetworkBuild.Result result = dryRun ? build.preview(area, tolerance) : build.apply(area, tolerance, as.actor(store.database(), "network build"));
                spec.commandLine().getOut().println(describe(result.summary(), tolerance, dryRun));
                FixCommand.revalidated(spec, result.validationId());
            } catch (SQLException | HeapTooSmallException e) {
                throw new UserFacingException("network build failed, nothing was changed: " + e.getMessage());
            }
            return 0;
        }

        static String describe(NetworkBuild.Summary s, double tolerance, boolean dryRun) {
            return String.format(Locale.ROOT, "%s: %d road elements read, %d after the build (%d split into %d new "
                            + "elements, %d changed, %d collapsed and removed); %d junctions %s, new %s; %d ends snapped "
                            + "within %s m.",
                    dryRun ? "network build preview (nothing changed)" : "network built", s.sourceElements(),
                    s.elements(), s.splitElements(), s.addedElements(), s.changedElements(), s.removedElements(), s.junctions(),
                    s.junctionsByKind(), s.newJunctionsByKind(), s.snappedEndpoints(), tolerance);
        }
    }
}
