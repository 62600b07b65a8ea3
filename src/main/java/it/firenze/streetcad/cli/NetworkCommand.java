package it.firenze.streetcad.cli;

import it.firenze.streetcad.db.CadastreStore;
import it.firenze.streetcad.topology.Bbox;
import it.firenze.streetcad.topology.NetworkBuild;
import it.firenze.streetcad.topology.NetworkBuilder;
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

        @Option(names = "--tolerance", defaultValue = "" + NetworkBuilder.DEFAULT_TOLERANCE, paramLabel = "METRES",
                description = "Ends closer than this are snapped together or onto a line (default: ${DEFAULT-VALUE}).")
        double tolerance;

        @Option(names = "--bbox", paramLabel = "MINLON,MINLAT,MAXLON,MAXLAT",
                description = "Only the elements meeting this area (CRS84 degrees). Default: the whole cadastre.")
        String bbox;

        @Option(names = "--dry-run", description = "Preview: report what the build would do and change nothing.")
        boolean dryRun;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            double[] area = area(bbox);
            checkTolerance(tolerance);
            try (CadastreStore store = CadastreStore.open(database.settings())) {
                NetworkBuild build = new NetworkBuild(store.database());
                NetworkBuild.Summary s = dryRun ? build.preview(area, tolerance) : build.apply(area, tolerance);
                spec.commandLine().getOut().println(describe(s, tolerance, dryRun));
            } catch (SQLException e) {
                throw new UserFacingException("network build failed, nothing was changed: " + e.getMessage());
            }
            return 0;
        }

        static String describe(NetworkBuild.Summary s, double tolerance, boolean dryRun) {
            return String.format(Locale.ROOT, "%s: %d road elements read, %d after the build (%d split into %d new "
                            + "elements, %d changed, %d collapsed and removed); %d junctions %s; %d ends snapped within %s m.",
                    dryRun ? "network build preview (nothing changed)" : "network built", s.sourceElements(),
                    s.elements(), s.splitElements(), s.addedElements(), s.changedElements(), s.removedElements(), s.junctions(),
                    s.junctionsByKind(), s.snappedEndpoints(), tolerance);
        }
    }

    /** The --tolerance option of the topology commands: metres, from 0 to a street's width many times over. */
    static void checkTolerance(double tolerance) {
        if (!(tolerance >= 0) || tolerance > 100) {
            throw new UserFacingException("--tolerance must be between 0 and 100 metres, not " + tolerance);
        }
    }

    /** The --bbox option of the topology commands; null for the whole cadastre. */
    static double[] area(String bbox) {
        try {
            return Bbox.parse(bbox);
        } catch (IllegalArgumentException e) {
            throw new UserFacingException("--bbox: " + e.getMessage());
        }
    }
}
