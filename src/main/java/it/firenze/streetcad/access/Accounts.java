package it.firenze.streetcad.access;

import it.firenze.streetcad.db.Database;
import org.springframework.security.crypto.argon2.Argon2PasswordEncoder;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Accounts of people. Passwords are kept as Argon2id hashes (Spring Security's encoder: 16 MiB, 2 passes), which
 * cost a login tens of milliseconds and a guesser the same per guess.
 */
public final class Accounts {

    public static final int MIN_PASSWORD_LENGTH = 12;
    private static final Argon2PasswordEncoder ARGON2 = Argon2PasswordEncoder.defaultsForSpringSecurity_v5_8();
    /**
     * Checked against when the user is unknown, so that an unknown name costs the same time as a wrong password.
     * Hashed at the first unknown name, not while the server starts: interpreted, the hash took 1.5 s of the start.
     */
    private static final class Decoy {
        static final String HASH = ARGON2.encode("decoy password that matches nothing");
    }

    public record Account(long id, String username, String displayName, String organisation, Set<Role> roles,
                          boolean enabled, Instant createdAt, Instant lastLoginAt) {
        public Principal principal() {
            return new Principal("account:" + username, displayName, organisation, roles);
        }
    }

    private final Database db;

    public Accounts(Database db) {
        this.db = db;
    }

    public Account add(String username, String displayName, String organisation, Set<Role> roles, String password,
                       Actor actor) throws SQLException {
        if (username == null || !username.matches("[a-z0-9][a-z0-9._-]{0,63}")) {
            throw new IllegalArgumentException("a username is 1 to 64 lower-case letters, digits, '.', '_' or '-', "
                    + "starting with a letter or digit");
        }
        if (roles.isEmpty()) throw new IllegalArgumentException("an account needs at least one role (" + Role.ids() + ")");
        String hash = hash(password);
        return Transactions.inTransaction(db, actor, c -> {
            try (var st = c.prepareStatement("INSERT INTO account (username, display_name, organisation, roles, password_hash) "
                    + "VALUES (?, ?, ?, ?, ?) ON CONFLICT (username) DO NOTHING RETURNING " + COLUMNS)) {
                st.setString(1, username);
                st.setString(2, displayName == null || displayName.isBlank() ? username : displayName.strip());
                st.setString(3, organisation);
                st.setArray(4, c.createArrayOf("text", Transactions.ids(roles)));
                st.setString(5, hash);
                try (ResultSet rs = st.executeQuery()) {
                    if (!rs.next()) throw new IllegalArgumentException("there is already an account '" + username + "'");
                    Account a = account(rs);
                    Audit.record(c, actor, "account.create", "account", List.of(a.id()), Map.of("username", username,
                            "roles", Transactions.ids(roles)));
                    return a;
                }
            }
        });
    }

    public List<Account> list() throws SQLException {
        try (var c = db.connection(); var st = c.prepareStatement("SELECT " + COLUMNS + " FROM account ORDER BY username");
             var rs = st.executeQuery()) {
            List<Account> accounts = new ArrayList<>();
            while (rs.next()) accounts.add(account(rs));
            return accounts;
        }
    }

    public Optional<Account> find(String username) throws SQLException {
        try (var c = db.connection(); var st = c.prepareStatement("SELECT " + COLUMNS + " FROM account WHERE username = ?")) {
            st.setString(1, username);
            try (var rs = st.executeQuery()) {
                return rs.next() ? Optional.of(account(rs)) : Optional.empty();
            }
        }
    }

    /** Disables an account and ends its web sessions; false when there is no such account. */
    public boolean disable(String username, Actor actor) throws SQLException {
        return change(username, "enabled = false", null, "account.disable", actor);
    }

    /** Sets a new password and ends the account's web sessions; false when there is no such account. */
    public boolean setPassword(String username, String password, Actor actor) throws SQLException {
        return change(username, "password_hash = ?", hash(password), "account.password", actor);
    }

    /** One change to an account ({@code assignment}, with at most one parameter), which ends its web sessions. */
    private boolean change(String username, String assignment, String value, String action, Actor actor) throws SQLException {
        return Transactions.inTransaction(db, actor, c -> {
            long id;
            try (var st = c.prepareStatement("UPDATE account SET " + assignment + " WHERE username = ? RETURNING id")) {
                int i = 1;
                if (value != null) st.setString(i++, value);
                st.setString(i, username);
                try (var rs = st.executeQuery()) {
                    if (!rs.next()) return false;
                    id = rs.getLong(1);
                }
            }
            try (var st = c.prepareStatement("DELETE FROM web_session WHERE account_id = ?")) {
                st.setLong(1, id);
                st.executeUpdate();
            }
            Audit.record(c, actor, action, "account", List.of(id), Map.of("username", username));
            return true;
        });
    }

    /**
     * The enabled account with this name and password, its last login stamped. An unknown name is checked against a
     * decoy hash, so that it costs the same time as a wrong password and answers the same.
     */
    public Optional<Account> verify(String username, String password) throws SQLException {
        String hash = null;
        Account account = null;
        try (var c = db.connection(); var st = c.prepareStatement("SELECT " + COLUMNS + ", password_hash FROM account WHERE username = ?")) {
            st.setString(1, username == null ? "" : username);
            try (var rs = st.executeQuery()) {
                if (rs.next()) {
                    account = account(rs);
                    hash = rs.getString(9);
                }
            }
        }
        boolean matches = ARGON2.matches(password == null ? "" : password, hash == null ? Decoy.HASH : hash);
        if (!matches || account == null || !account.enabled()) return Optional.empty();
        try (var c = db.connection(); var st = c.prepareStatement("UPDATE account SET last_login_at = now() WHERE id = ?")) {
            st.setLong(1, account.id());
            st.executeUpdate();
        }
        return Optional.of(account);
    }

    static String hash(String password) {
        if (password == null || password.length() < MIN_PASSWORD_LENGTH) {
            throw new IllegalArgumentException("a password has at least " + MIN_PASSWORD_LENGTH + " characters");
        }
        return ARGON2.encode(password);
    }

    private static final String COLUMNS = "id, username, display_name, organisation, roles, enabled, created_at, last_login_at";

    private static Account account(ResultSet rs) throws SQLException {
        return new Account(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                Transactions.roles(rs.getArray(5)), rs.getBoolean(6), ApiKeys.instant(rs.getTimestamp(7)),
                ApiKeys.instant(rs.getTimestamp(8)));
    }
}
