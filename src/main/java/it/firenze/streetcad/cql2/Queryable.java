package it.firenze.streetcad.cql2;

/**
 * A property a filter may name, with the SQL expression that computes it (written by StreetCad, never by a
 * client) and its type, which decides which literals and operators make sense on it.
 */
public record Queryable(String name, String sql, Type type) {

    public enum Type {
        STRING("string"), INTEGER("integer"), NUMBER("number"), BOOLEAN("boolean"), TIMESTAMP("string"),
        GEOMETRY(null), OBJECT("object"),
        /** A tstzrange; only temporal functions use it. */
        INTERVAL("array");

        private final String jsonSchemaType;

        Type(String jsonSchemaType) {
            this.jsonSchemaType = jsonSchemaType;
        }

        /** The JSON Schema type of the property in /queryables and the OpenAPI document. */
        public String jsonSchemaType() {
            return jsonSchemaType;
        }

        /** Whether a value of this type can be compared, sorted or given as a simple property filter. */
        public boolean isScalar() {
            return this != GEOMETRY && this != OBJECT && this != INTERVAL;
        }

        public boolean isNumeric() {
            return this == INTEGER || this == NUMBER;
        }
    }
}
