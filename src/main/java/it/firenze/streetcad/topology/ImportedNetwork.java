package it.firenze.streetcad.topology;

import it.firenze.streetcad.access.Actor;
import it.firenze.streetcad.db.Database;

import java.sql.SQLException;

/**
 * What follows the commit of raw lines (an OSM extract, a survey): the junction-to-junction build over the whole
 * cadastre, then a validation whose findings become the cadastre's open issues, so that the web map and
 * {@code /topology/issues} show them without a technician having to ask.
 */
public final class ImportedNetwork {

    /** The build and the validation that followed it. */
    public record Outcome(NetworkBuild.Summary build, TopologyValidation.Report validation) {
    }

    private ImportedNetwork() {
    }

    public static Outcome buildAndValidate(Database database, Actor actor) throws SQLException {
        NetworkBuild.Summary build = new NetworkBuild(database)
                .applyBeforeFullValidation(null, NetworkBuilder.DEFAULT_TOLERANCE, actor).summary();
        TopologyValidation validation = new TopologyValidation(database);
        ValidationOptions options = ValidationOptions.defaults();
        TopologyValidation.Report report = validation.complete(validation.begin(null, options, actor), null, options);
        return new Outcome(build, report);
    }
}
