package it.firenze.streetcad.access;

/** What a principal may do (lower-case names in JSON and the database). Shared contract, see TEAM.md. */
public enum Role {
    VIEWER, EDITOR, OPERATOR, TECHNICIAN, ADMIN
}
