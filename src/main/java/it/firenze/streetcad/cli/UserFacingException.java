package it.firenze.streetcad.cli;

/** A failure whose message alone tells the user what went wrong; printed without a stack trace. */
public class UserFacingException extends RuntimeException {
    public UserFacingException(String message) {
        super(message);
    }
}
