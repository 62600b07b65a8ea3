package it.firenze.streetcad.access;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * What a principal may do. Roles are granted one by one; {@link Principal#has} adds the two implications that
 * hold everywhere: any role reads ({@code viewer}), and {@code admin}, who can grant itself any role, has them all.
 */
public enum Role {
    /** reads (only needed when reads are not public) */
    VIEWER,
    /** edits the cadastre */
    EDITOR,
    /** viability operations: closures, works, traffic orders */
    OPERATOR,
    /** imports, validations, fixes, network builds */
    TECHNICIAN,
    /** accounts, keys, settings, the audit log */
    ADMIN;

    /** The lower-case name used in JSON, the database and the command line. */
    @JsonValue
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Role> byId(String id) {
        return Arrays.stream(values()).filter(r -> r.id().equals(id)).findFirst();
    }

    @JsonCreator
    static Role fromJson(String id) {
        return byId(id).orElseThrow(() -> new IllegalArgumentException("unknown role '" + id + "'; the roles are " + ids()));
    }

    /** "viewer, editor, …" for messages. */
    public static String ids() {
        return String.join(", ", Arrays.stream(values()).map(Role::id).toList());
    }
}
