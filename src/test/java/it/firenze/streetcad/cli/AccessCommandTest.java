package it.firenze.streetcad.cli;

import it.firenze.streetcad.access.Accounts;
import it.firenze.streetcad.access.ApiKeys;
import it.firenze.streetcad.access.Role;
import it.firenze.streetcad.db.Database;
import it.firenze.streetcad.db.DatabaseUrl;
import it.firenze.streetcad.testing.TestPostgis;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.Set;

import static it.firenze.streetcad.cli.CommandLineTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Accounts and keys are made, listed and withdrawn from the command line, each change audited under its author. */
class AccessCommandTest {

    static Database db;
    static String dbUrl;

    @BeforeAll
    static void open() {
        DatabaseUrl url = TestPostgis.newDatabaseUrl();
        dbUrl = url.jdbcUrl() + "?user=" + url.user() + "&password=" + url.password();
        db = Database.connect(url, 6707, 2);
        db.migrate();
    }

    @AfterAll
    static void close() {
        db.close();
    }

    static CommandLineTest.Run withStdin(String input, String... args) {
        InputStream in = System.in;
        try {
            System.setIn(new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)));
            return run(args);
        } finally {
            System.setIn(in);
        }
    }

    @Test
    void anAccountIsAddedListedGivenANewPasswordAndDisabled() throws SQLException {
        var added = withStdin("first password 123\n", "users", "add", "giulia", "--role", "editor,operator", "--org", "Publiacqua",
                "--password-stdin", "--db-url", dbUrl);
        assertEquals(0, added.exitCode(), added.err());
        Accounts accounts = new Accounts(db);
        assertEquals(Set.of(Role.EDITOR, Role.OPERATOR), accounts.verify("giulia", "first password 123").orElseThrow().roles());
        assertTrue(run("users", "list", "--db-url", dbUrl).out().contains("giulia\tgiulia\tPubliacqua\teditor,operator\tyes"));

        assertEquals(1, withStdin("short\n", "users", "passwd", "giulia", "--password-stdin", "--db-url", dbUrl).exitCode());
        var changed = withStdin("second password 456\n", "users", "passwd", "giulia", "--password-stdin", "--as", "giulia",
                "--db-url", dbUrl);
        assertEquals(0, changed.exitCode(), changed.err());
        assertTrue(accounts.verify("giulia", "first password 123").isEmpty());
        assertTrue(accounts.verify("giulia", "second password 456").isPresent());

        assertEquals(0, run("users", "disable", "giulia", "--db-url", dbUrl).exitCode());
        assertTrue(accounts.verify("giulia", "second password 456").isEmpty(), "a disabled account cannot sign in");
        assertEquals(1, run("users", "add", "x", "--role", "king", "--password-stdin", "--db-url", dbUrl).exitCode());

        String os = "cli:" + System.getProperty("user.name");
        assertEquals(os + " account.create|account:giulia account.password|" + os + " account.disable", strings(
                "SELECT string_agg(principal || ' ' || action, '|' ORDER BY id) FROM audit_log WHERE table_name = 'account'"));
    }

    @Test
    void aKeyIsPrintedOnceLastThenWorksUntilRevoked() throws SQLException {
        var created = run("keys", "create", "--name", "traffic lights", "--role", "viewer", "--org", "Mobilità",
                "--expires", "2099-12-31", "--db-url", dbUrl);
        assertEquals(0, created.exitCode(), created.err());
        String[] lines = created.out().strip().split("\n");
        String key = lines[lines.length - 1];
        assertTrue(key.matches("sck_[A-Za-z0-9_-]{43}"), key);
        ApiKeys keys = new ApiKeys(db);
        assertEquals("Mobilità", keys.authenticate(key).orElseThrow().organisation());
        String listed = run("keys", "list", "--db-url", dbUrl).out();
        assertTrue(listed.contains("traffic lights\tMobilità\tviewer"), listed);
        assertFalse(listed.contains(key), "a key is never shown again");

        long id = keys.list().stream().filter(k -> k.name().equals("traffic lights")).findFirst().orElseThrow().id();
        assertEquals(0, run("keys", "revoke", Long.toString(id), "--db-url", dbUrl).exitCode());
        assertTrue(new ApiKeys(db).authenticate(key).isEmpty(), "a revoked key works no more");
        assertEquals(1, run("keys", "revoke", Long.toString(id), "--db-url", dbUrl).exitCode());
        var expired = run("keys", "create", "--name", "old", "--role", "viewer", "--expires", "2020-01-01", "--db-url", dbUrl);
        String old = expired.out().strip().substring(expired.out().strip().lastIndexOf('\n') + 1);
        assertTrue(keys.authenticate(old).isEmpty(), "an expired key works no more");
    }

    static String strings(String sql) throws SQLException {
        try (var c = db.connection(); var st = c.createStatement(); var rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
