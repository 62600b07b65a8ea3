package it.firenze.streetcad.viability;

import java.util.Map;

/**
 * A viability request the domain refuses, naming the field at fault ({@code location.from_road},
 * {@code valid_to}); the HTTP module turns the reason into the status.
 */
public final class ViabilityException extends RuntimeException {

    /**
     * Why: the request is malformed, names something that does not exist, is not allowed, asks for what is not
     * there, was made against an older version, or repeats a record that exists.
     */
    public enum Reason { INVALID, UNRESOLVED, FORBIDDEN, NOT_FOUND, STALE, DUPLICATE }

    private final Reason reason;
    private final String field;
    private final String code;
    private final transient Map<String, Object> figures;

    public ViabilityException(Reason reason, String field, String message) {
        this(reason, field, null, message);
    }

    /** @param code a stable word for the refusal that clients translate (the problem's {@code code}); null if none */
    ViabilityException(Reason reason, String field, String code, String message) {
        this(reason, field, code, Map.of(), message);
    }

    /** @param figures what the message states in numbers, as members of the problem, for clients that translate it */
    ViabilityException(Reason reason, String field, String code, Map<String, Object> figures, String message) {
        super(message);
        this.reason = reason;
        this.field = field;
        this.code = code;
        this.figures = Map.copyOf(figures);
    }

    static ViabilityException invalid(String field, String message) {
        return new ViabilityException(Reason.INVALID, field, message);
    }

    static ViabilityException unresolved(String field, String message) {
        return new ViabilityException(Reason.UNRESOLVED, field, message);
    }

    public Reason reason() {
        return reason;
    }

    public String field() {
        return field;
    }

    public String code() {
        return code;
    }

    public Map<String, Object> figures() {
        return figures;
    }
}
