package it.firenze.streetcad.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command line a person types: help, wrong usage and an unreachable database. */
public class CommandLineTest {

    /** One command line's outcome; public so that each capability's CLI tests run commands the same way. */
    public record Run(int exitCode, String out, String err) {
    }

    public static Run run(String... args) {
        PrintStream out = System.out, err = System.err;
        var o = new ByteArrayOutputStream();
        var e = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            int code = Main.execute(args);
            return new Run(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    @Test
    void helpListsTheSubcommands() {
        Run r = run("--help");
        assertEquals(0, r.exitCode());
        assertTrue(r.out().contains("serve"), r.out());
        assertTrue(r.out().contains("migrate"), r.out());
    }

    @Test
    void eachSubcommandHasHelp() {
        Run r = run("serve", "--help");
        assertEquals(0, r.exitCode());
        assertTrue(r.out().contains("--db-url"), r.out());
        assertTrue(r.out().contains("--port"), r.out());
    }

    @Test
    void anUnknownOptionPrintsUsageAndExits2() {
        Run r = run("serve", "--frobnicate");
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("Unknown option"), r.err());
        assertTrue(r.err().contains("Usage"), r.err());
    }

    @Test
    void noSubcommandIsWrongUsage() {
        assertEquals(2, run().exitCode());
    }

    @Test
    void anUnreachableDatabaseIsOneParagraphNotAStackTrace() {
        Run r = run("migrate", "--db-url", "postgresql://streetcad:wrong@127.0.0.1:1/cadastre");
        assertEquals(1, r.exitCode());
        String message = r.err().strip();
        assertTrue(message.startsWith("streetcad: Cannot connect to the database"), message);
        assertFalse(message.contains("\tat "), message);
        assertFalse(message.contains("wrong"), "the password must not be echoed: " + message);
        assertEquals(1, message.lines().filter(l -> l.startsWith("streetcad:")).count(), message);
    }

    @Test
    void aMalformedDatabaseUrlIsExplained() {
        Run r = run("migrate", "--db-url", "mysql://h/db");
        assertEquals(1, r.exitCode());
        assertTrue(r.err().contains("not a PostgreSQL URL"), r.err());
    }
}
