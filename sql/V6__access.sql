-- Access (issue 12): accounts (people), API keys (city systems), web sessions, the audit log, and the author of
-- every history row. Secrets are never stored: passwords as Argon2id hashes, keys and session ids as SHA-256.

CREATE TABLE account (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username       text NOT NULL UNIQUE CHECK (username ~ '^[a-z0-9][a-z0-9._-]{0,63}$'),
    display_name   text NOT NULL,
    organisation   text,
    roles          text[] NOT NULL CHECK (roles <@ ARRAY ['viewer', 'editor', 'operator', 'technician', 'admin']),
    enabled        boolean NOT NULL DEFAULT true,
    password_hash  text NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    last_login_at  timestamptz
);

CREATE TABLE api_key (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name          text NOT NULL,
    secret_sha256 bytea NOT NULL UNIQUE CHECK (length(secret_sha256) = 32),
    roles         text[] NOT NULL CHECK (roles <@ ARRAY ['viewer', 'editor', 'operator', 'technician', 'admin']),
    organisation  text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    created_by    text NOT NULL,
    expires_at    timestamptz,
    revoked_at    timestamptz,
    last_used_at  timestamptz
);

-- A signed-in browser: the cookie carries a random id, the table its hash. Idle and absolute expiry are checked
-- on every use; a login replaces any session the browser had (rotation).
CREATE TABLE web_session (
    id_sha256    bytea PRIMARY KEY CHECK (length(id_sha256) = 32),
    account_id   bigint NOT NULL REFERENCES account ON DELETE CASCADE,
    csrf_token   text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL
);
CREATE INDEX web_session_account ON web_session (account_id);

-- Who changed what, when, through which door and why. Written in the transaction of the change it records.
CREATE TABLE audit_log (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at             timestamptz NOT NULL DEFAULT clock_timestamp(),
    principal      text NOT NULL,
    principal_name text,
    organisation   text,
    via            text,
    reason         text,
    action         text NOT NULL,
    table_name     text,
    ids            bigint[] NOT NULL DEFAULT '{}',
    details        jsonb
);
CREATE INDEX audit_log_at ON audit_log (at DESC, id DESC);
CREATE INDEX audit_log_principal ON audit_log (principal, at DESC);
CREATE INDEX audit_log_ids ON audit_log USING gin (ids);

-- History rows name their author, taken from the transaction-local settings that Audit.bind makes; a change made
-- outside StreetCad (plain SQL) is attributed to the database user. Columns are matched by name, not position, so
-- a later migration may add columns to a table and its history in any order.
CREATE OR REPLACE FUNCTION record_history() RETURNS trigger LANGUAGE plpgsql AS
$$
DECLARE
    columns text;
BEGIN
    OLD.valid_to := CASE WHEN TG_OP = 'UPDATE' THEN NEW.valid_from ELSE clock_timestamp() END;
    SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) INTO columns
    FROM pg_attribute WHERE attrelid = TG_RELID AND attnum > 0 AND NOT attisdropped;
    EXECUTE format('INSERT INTO %I (%s, operation, changed_at, changed_by, changed_by_org, changed_via, change_reason) '
                   || 'SELECT ($1).*, $2, now(), $3, $4, $5, $6', TG_TABLE_NAME || '_history', columns)
        USING OLD, TG_OP,
              coalesce(nullif(current_setting('streetcad.actor', true), ''), 'db:' || session_user),
              nullif(current_setting('streetcad.organisation', true), ''),
              nullif(current_setting('streetcad.via', true), ''),
              nullif(current_setting('streetcad.reason', true), '');
    RETURN NULL;
END
$$;

DO
$$
DECLARE
    t text;
BEGIN
    FOR t IN SELECT DISTINCT c.relname FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid
             WHERE g.tgfoid = 'record_history'::regproc LOOP
        EXECUTE format('ALTER TABLE %I ADD COLUMN changed_by text, ADD COLUMN changed_by_org text, '
                       || 'ADD COLUMN changed_via text, ADD COLUMN change_reason text', t || '_history');
    END LOOP;
END
$$;
