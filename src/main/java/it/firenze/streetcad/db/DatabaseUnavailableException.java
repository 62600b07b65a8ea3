package it.firenze.streetcad.db;

/**
 * The database could not be reached, created or migrated. The message is written for the person who
 * started StreetCad: one paragraph saying what failed and what to do, with no stack trace needed.
 */
public class DatabaseUnavailableException extends RuntimeException {
    public DatabaseUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }

    public DatabaseUnavailableException(String message) {
        super(message);
    }
}
