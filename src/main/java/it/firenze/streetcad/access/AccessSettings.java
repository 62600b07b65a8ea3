package it.firenze.streetcad.access;

import java.time.Duration;
import java.util.List;

/**
 * How the server lets people and systems in.
 *
 * @param publicRead      whether anyone may read (the default); false asks every route but /health and /ready for
 *                        at least {@code viewer}
 * @param sessionIdle     a web session ends after this long unused
 * @param sessionAbsolute … and this long after sign-in, whatever its use
 * @param writeOrigins    origins of other web applications allowed to send writes (with an API key or token) from a
 *                        browser; none by default
 * @param jwt             single sign-on, or null when not configured
 */
public record AccessSettings(boolean publicRead, Duration sessionIdle, Duration sessionAbsolute, List<String> writeOrigins,
                             JwtSettings jwt) {

    public static final Duration DEFAULT_IDLE = Duration.ofMinutes(30), DEFAULT_ABSOLUTE = Duration.ofHours(10);

    public AccessSettings {
        writeOrigins = writeOrigins == null ? List.of() : List.copyOf(writeOrigins);
        if (sessionIdle == null) sessionIdle = DEFAULT_IDLE;
        if (sessionAbsolute == null) sessionAbsolute = DEFAULT_ABSOLUTE;
    }

    public AccessSettings(boolean publicRead) {
        this(publicRead, null, null, List.of(), null);
    }

    public static AccessSettings defaults() {
        return new AccessSettings(true);
    }
}
