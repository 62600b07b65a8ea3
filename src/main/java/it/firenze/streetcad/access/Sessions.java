package it.firenze.streetcad.access;

import it.firenze.streetcad.db.Database;

import java.security.SecureRandom;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Signed-in browsers. The cookie carries 256 random bits; the table keeps their SHA-256, the account and a CSRF
 * token. A session ends after {@code idle} without use or {@code absolute} after sign-in, whichever comes first, when
 * its account is disabled or its password changed, and at sign-out.
 */
final class Sessions {

    private static final SecureRandom RANDOM = new SecureRandom();
    /** Last use is written at most this often: a busy browser should not cost a write per request. */
    private static final Duration TOUCH = Duration.ofMinutes(1);

    record Session(Principal principal, String csrfToken) {
    }

    record Started(String cookieValue, Session session) {
    }

    private final Database db;
    private final Duration idle;
    private final Duration absolute;

    Sessions(Database db, Duration idle, Duration absolute) {
        this.db = db;
        this.idle = idle;
        this.absolute = absolute;
    }

    Duration absolute() {
        return absolute;
    }

    /** A new session for the account; the browser's previous one, if any, ends (the id is never reused: rotation). */
    Started start(Accounts.Account account, String previousCookie, Actor actor) throws SQLException {
        String id = random(), csrf = random();
        Transactions.inTransaction(db, actor, c -> {
            if (previousCookie != null) {
                try (var st = c.prepareStatement("DELETE FROM web_session WHERE id_sha256 = ?")) {
                    st.setBytes(1, ApiKeys.sha256(previousCookie));
                    st.executeUpdate();
                }
            }
            try (var st = c.prepareStatement("INSERT INTO web_session (id_sha256, account_id, csrf_token, expires_at) "
                    + "VALUES (?, ?, ?, ?)")) {
                st.setBytes(1, ApiKeys.sha256(id));
                st.setLong(2, account.id());
                st.setString(3, csrf);
                st.setTimestamp(4, Timestamp.from(Instant.now().plus(absolute)));
                st.executeUpdate();
            }
            Audit.record(c, actor, "login", "account", List.of(account.id()), Map.of());
            return null;
        });
        return new Started(id, new Session(account.principal(), csrf));
    }

    /** The live session of this cookie, its last use stamped; empty when it is unknown, expired or its account disabled. */
    Optional<Session> find(String cookieValue) throws SQLException {
        try (var c = db.connection(); var st = c.prepareStatement("UPDATE web_session s SET last_seen_at = CASE WHEN "
                + "s.last_seen_at < now() - ?::interval THEN now() ELSE s.last_seen_at END FROM account a "
                + "WHERE s.id_sha256 = ? AND a.id = s.account_id AND a.enabled AND s.expires_at > now() "
                + "AND s.last_seen_at > now() - ?::interval "
                + "RETURNING s.csrf_token, a.username, a.display_name, a.organisation, a.roles")) {
            st.setString(1, TOUCH.toSeconds() + " seconds");
            st.setBytes(2, ApiKeys.sha256(cookieValue));
            st.setString(3, idle.toSeconds() + " seconds");
            try (var rs = st.executeQuery()) {
                if (!rs.next()) return Optional.empty();
                return Optional.of(new Session(new Principal("account:" + rs.getString(2), rs.getString(3), rs.getString(4),
                        Transactions.roles(rs.getArray(5))), rs.getString(1)));
            }
        }
    }

    void end(String cookieValue) throws SQLException {
        try (var c = db.connection(); var st = c.prepareStatement("DELETE FROM web_session WHERE id_sha256 = ? "
                + "OR expires_at < now() OR last_seen_at < now() - ?::interval")) {
            st.setBytes(1, ApiKeys.sha256(cookieValue));
            st.setString(2, idle.toSeconds() + " seconds");
            st.executeUpdate();
        }
    }

    private static String random() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
