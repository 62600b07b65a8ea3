package it.firenze.streetcad.access;

import it.firenze.streetcad.db.Database;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * API keys for city systems. A key is 256 random bits shown once; the database keeps only its SHA-256, which suits
 * a random secret (no dictionary to guess from) and costs a read nothing. A key found valid is remembered for
 * {@link #CACHE_MILLIS}, so a busy client costs one lookup per key and period, not one per request; a revocation
 * on this instance takes effect at once, on another instance sharing the database within that period.
 */
public final class ApiKeys {

    static final long CACHE_MILLIS = 10_000;
    private static final int CACHE_LIMIT = 10_000;
    private static final String PREFIX = "sck_";
    private static final SecureRandom RANDOM = new SecureRandom();

    public record Key(long id, String name, Set<Role> roles, String organisation, Instant createdAt, String createdBy,
                      Instant expiresAt, Instant revokedAt, Instant lastUsedAt) {
    }

    /** A new key and its secret, which exists nowhere else. */
    public record Created(Key key, String secret) {
    }

    private record Cached(Principal principal, long loadedAt) {
    }

    private final Database db;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    public ApiKeys(Database db) {
        this.db = db;
    }

    public Created create(String name, Set<Role> roles, String organisation, Instant expiresAt, Actor actor) throws SQLException {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("a key needs a name");
        if (roles.isEmpty()) throw new IllegalArgumentException("a key needs at least one role (" + Role.ids() + ")");
        byte[] random = new byte[32];
        RANDOM.nextBytes(random);
        String secret = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        Key key = Transactions.inTransaction(db, actor, c -> {
            try (var st = c.prepareStatement("INSERT INTO api_key (name, secret_sha256, roles, organisation, created_by, expires_at) "
                    + "VALUES (?, ?, ?, ?, ?, ?) RETURNING " + COLUMNS)) {
                st.setString(1, name.strip());
                st.setBytes(2, sha256(secret));
                st.setArray(3, c.createArrayOf("text", Transactions.ids(roles)));
                st.setString(4, organisation);
                st.setString(5, actor.principal().id());
                st.setTimestamp(6, expiresAt == null ? null : Timestamp.from(expiresAt));
                try (ResultSet rs = st.executeQuery()) {
                    rs.next();
                    Key k = key(rs);
                    Audit.record(c, actor, "key.create", "api_key", List.of(k.id()), Map.of("name", k.name(),
                            "roles", Transactions.ids(roles)));
                    return k;
                }
            }
        });
        return new Created(key, secret);
    }

    public List<Key> list() throws SQLException {
        try (var c = db.connection(); var st = c.prepareStatement("SELECT " + COLUMNS + " FROM api_key ORDER BY id");
             var rs = st.executeQuery()) {
            List<Key> keys = new ArrayList<>();
            while (rs.next()) keys.add(key(rs));
            return keys;
        }
    }

    /** Revokes a key for good; false when there is no such key or it was revoked already. */
    public boolean revoke(long id, Actor actor) throws SQLException {
        boolean revoked = Transactions.inTransaction(db, actor, c -> {
            try (var st = c.prepareStatement("UPDATE api_key SET revoked_at = now() WHERE id = ? AND revoked_at IS NULL")) {
                st.setLong(1, id);
                if (st.executeUpdate() == 0) return false;
            }
            Audit.record(c, actor, "key.revoke", "api_key", List.of(id), Map.of());
            return true;
        });
        cache.clear();
        return revoked;
    }

    /** The principal of a valid (known, unrevoked, unexpired) key. */
    public Optional<Principal> authenticate(String secret) throws SQLException {
        if (!secret.startsWith(PREFIX)) return Optional.empty();
        String hash = HexFormat.of().formatHex(sha256(secret));
        long now = System.currentTimeMillis();
        Cached cached = cache.get(hash);
        if (cached != null && now - cached.loadedAt() < CACHE_MILLIS) return Optional.of(cached.principal());
        Optional<Principal> principal = load(hash);
        if (principal.isPresent()) {
            if (cache.size() >= CACHE_LIMIT) cache.clear();
            cache.put(hash, new Cached(principal.get(), now));
        } else {
            cache.remove(hash);
        }
        return principal;
    }

    /** Looks a key up and stamps its last use; at most once per cache period per key, so the write is rare. */
    private Optional<Principal> load(String hash) throws SQLException {
        try (var c = db.connection(); var st = c.prepareStatement("UPDATE api_key SET last_used_at = now() "
                + "WHERE secret_sha256 = ? AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now()) "
                + "RETURNING id, name, roles, organisation")) {
            st.setBytes(1, HexFormat.of().parseHex(hash));
            try (var rs = st.executeQuery()) {
                if (!rs.next()) return Optional.empty();
                return Optional.of(new Principal("key:" + rs.getLong(1), rs.getString(2), rs.getString(4),
                        Transactions.roles(rs.getArray(3))));
            }
        }
    }

    private static final String COLUMNS = "id, name, roles, organisation, created_at, created_by, expires_at, revoked_at, last_used_at";

    private static Key key(ResultSet rs) throws SQLException {
        return new Key(rs.getLong(1), rs.getString(2), Transactions.roles(rs.getArray(3)), rs.getString(4),
                instant(rs.getTimestamp(5)), rs.getString(6), instant(rs.getTimestamp(7)), instant(rs.getTimestamp(8)),
                instant(rs.getTimestamp(9)));
    }

    static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    static byte[] sha256(String secret) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }
}
