package it.firenze.streetcad.access;

import it.firenze.streetcad.db.Database;

import java.sql.Connection;
import java.sql.SQLException;

/** Runs work in one transaction of its own, so that a change and its audit row commit or roll back together. */
public final class Transactions {

    public interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private Transactions() {
    }

    public static <T> T inTransaction(Database db, Actor actor, Work<T> work) throws SQLException {
        try (Connection c = db.connection()) {
            c.setAutoCommit(false);
            try {
                if (actor != null) Audit.bind(c, actor);
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                Database.rollback(c);
                throw e;
            } finally {
                Database.restoreAutoCommit(c);
            }
        }
    }

    static java.util.Set<Role> roles(java.sql.Array array) throws SQLException {
        java.util.Set<Role> roles = java.util.EnumSet.noneOf(Role.class);
        for (Object id : (Object[]) array.getArray()) Role.byId((String) id).ifPresent(roles::add);
        return roles;
    }

    static String[] ids(java.util.Set<Role> roles) {
        return roles.stream().sorted().map(Role::id).toArray(String[]::new);
    }
}
