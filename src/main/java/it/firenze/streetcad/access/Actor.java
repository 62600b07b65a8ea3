package it.firenze.streetcad.access;

import java.util.Set;

/** Who acts, through what, and why (nullable): what domain code takes. Shared contract, see TEAM.md. */
public record Actor(Principal principal, String via, String reason) {
    public static Actor system(String via) {
        return new Actor(new Principal("system", "StreetCad", null, Set.of(Role.ADMIN)), via, null);
    }
}
