package it.firenze.streetcad.access;

/**
 * A principal acting through one door for one reason: what the audit log and the history rows record.
 *
 * @param via    the route template or command, e.g. {@code POST /imports/{id}/commit} or {@code cli import}
 * @param reason why, as the author gave it; null when none was given
 */
public record Actor(Principal principal, String via, String reason) {

    /** The server's own work (sample load, recovery after a restart). */
    public static Actor system(String via) {
        return new Actor(Principal.system(), via, null);
    }
}
