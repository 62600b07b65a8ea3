package it.firenze.streetcad.access;

import java.util.Set;

/** Who acts: an account, an API key, a JWT subject, a CLI user or the system. Shared contract, see TEAM.md. */
public record Principal(String id, String name, String organisation, Set<Role> roles) {
    public Principal {
        roles = Set.copyOf(roles);
    }

    public boolean has(Role role) {
        return roles.contains(role);
    }
}
