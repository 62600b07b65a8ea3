package it.firenze.streetcad.db;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class DatabaseUrlTest {

    @Test
    void aJdbcUrlKeepsItsParametersAndGivesUpItsCredentials() {
        var url = DatabaseUrl.parse("jdbc:postgresql://db.example:5433/cadastre?user=sc&password=s3cret&sslmode=require");
        assertEquals("jdbc:postgresql://db.example:5433/cadastre?sslmode=require", url.jdbcUrl());
        assertEquals("sc", url.user());
        assertEquals("s3cret", url.password());
        assertFalse(url.toString().contains("s3cret"));
    }

    @Test
    void aLibpqUrlBecomesAJdbcUrl() {
        var url = DatabaseUrl.parse("postgresql://sc:p%40ss@10.0.0.5/cadastre");
        assertEquals("jdbc:postgresql://10.0.0.5/cadastre", url.jdbcUrl());
        assertEquals("sc", url.user());
        assertEquals("p@ss", url.password());
    }

    @Test
    void aUrlWithoutDatabaseMeansPostgres() {
        var url = DatabaseUrl.parse("postgres://localhost:5432");
        assertEquals("jdbc:postgresql://localhost:5432/postgres", url.jdbcUrl());
        assertNull(url.user());
    }

    @Test
    void anythingElseIsRefusedWithoutEchoingThePassword() {
        var e = assertThrows(IllegalArgumentException.class, () -> DatabaseUrl.parse("mysql://u:topsecret@h/db"));
        assertFalse(e.getMessage().contains("topsecret"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> DatabaseUrl.parse(""));
    }
}
