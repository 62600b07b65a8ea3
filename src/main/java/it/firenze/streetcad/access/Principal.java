package it.firenze.streetcad.access;

import java.util.EnumSet;
import java.util.Set;

/**
 * Who acts: an account ({@code account:anna}), an API key ({@code key:12}), a single sign-on subject
 * ({@code jwt:<sub>}), the operating-system user of the command line ({@code cli:<user>}) or the server itself
 * ({@code system}). The organisation (road office, police, a utility) is recorded with every change.
 */
public record Principal(String id, String name, String organisation, Set<Role> roles) {

    public Principal {
        roles = roles.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(roles));
    }

    /** Any role reads; an admin, who may grant itself any role, has them all. */
    public boolean has(Role role) {
        return roles.contains(role) || roles.contains(Role.ADMIN) || (role == Role.VIEWER && !roles.isEmpty());
    }

    static Principal system() {
        return new Principal("system", "StreetCad", null, EnumSet.allOf(Role.class));
    }
}
