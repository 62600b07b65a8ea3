package it.firenze.streetcad.cli;

import it.firenze.streetcad.access.Accounts;
import it.firenze.streetcad.access.Actor;
import it.firenze.streetcad.access.Principal;
import it.firenze.streetcad.access.Role;
import it.firenze.streetcad.db.Database;
import picocli.CommandLine.Option;

import java.sql.SQLException;
import java.util.EnumSet;

/**
 * Who a command that changes the cadastre acts as: the operating-system user who runs it, or a StreetCad account
 * ({@code --as}). The command line holds the database's own credentials, so it is trusted with every role; the
 * account only names the author, and the operating-system user is recorded with it.
 */
public final class ActorOptions {

    @Option(names = "--as", paramLabel = "ACCOUNT",
            description = "Record the change under this StreetCad account (default: the operating-system user).")
    String account;

    @Option(names = "--reason", paramLabel = "TEXT", description = "Why: recorded with the change in the audit log and history.")
    String reason;

    Actor actor(Database db, String command) {
        String osUser = System.getProperty("user.name");
        String via = "cli " + command;
        if (account == null) {
            return new Actor(new Principal("cli:" + osUser, osUser, null, EnumSet.allOf(Role.class)), via, reason);
        }
        try {
            Accounts.Account a = new Accounts(db).find(account).filter(Accounts.Account::enabled).orElseThrow(() ->
                    new UserFacingException("--as " + account + ": there is no enabled account of that name "
                            + "(streetcad users list shows them)."));
            return new Actor(a.principal(), via + " (os user " + osUser + ")", reason);
        } catch (SQLException e) {
            throw new IllegalStateException("reading the account failed: " + e.getMessage(), e);
        }
    }
}
