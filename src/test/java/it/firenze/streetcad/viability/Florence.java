package it.firenze.streetcad.viability;

import it.firenze.streetcad.access.Actor;
import it.firenze.streetcad.access.Principal;
import it.firenze.streetcad.access.Role;
import it.firenze.streetcad.db.Database;
import it.firenze.streetcad.server.StreetCadServer;
import it.firenze.streetcad.web.FlorenceStreetCad;

import java.util.Set;

/**
 * StreetCad serving the Florence sample as a person starts it (imported with the osm mapping and built into a
 * junction-to-junction network), once per test JVM: it takes about 25 s. Tests put their measures in years of
 * their own so that they never see each other's.
 */
final class Florence {

    private static StreetCadServer server;

    private Florence() {
    }

    static synchronized StreetCadServer server() {
        if (server == null) {
            server = FlorenceStreetCad.start();
            Runtime.getRuntime().addShutdownHook(new Thread(server::close, "florence-viability-stop"));
        }
        return server;
    }

    static Database database() {
        return server().store().database();
    }

    static Actor operator() {
        return new Actor(new Principal("account:olga", "Olga", "Comune di Firenze", Set.of(Role.OPERATOR)), "test", null);
    }

    static Actor utility(String organisation) {
        return new Actor(new Principal("account:" + organisation.toLowerCase(), organisation, organisation,
                Set.of(Role.EDITOR)), "test", null);
    }
}
