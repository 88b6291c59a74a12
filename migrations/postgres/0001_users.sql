-- Users, their device sessions, and failed logins (for rate limiting).
-- Server-authoritative rows, not CRDTs. Times are unix milliseconds (BIGINT); booleans are
-- BIGINT 0/1 to match the SQLite schema
-- (SQLite's BOOLEAN does not decode through sqlx's Any driver), so one set of queries
-- serves both backends.

CREATE TABLE users (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username       TEXT NOT NULL UNIQUE,        -- lowercased, 3–32 of [a-z0-9._-]
    display_name   TEXT NOT NULL,
    password_hash  TEXT NOT NULL,               -- argon2id PHC string
    role           TEXT NOT NULL CHECK (role IN ('admin', 'telecaller')),
    disabled       BIGINT NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);

-- One row per logged-in device. Only the SHA-256 of the bearer token is stored, so a
-- leaked database does not hand out working tokens.
CREATE TABLE sessions (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id       BIGINT NOT NULL REFERENCES users (id),
    token_hash    TEXT NOT NULL UNIQUE,         -- hex SHA-256 of the token
    device_name   TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    last_seen_at  BIGINT NOT NULL,
    revoked_at    BIGINT,                       -- NULL while the session is usable
    created_ip    TEXT
);
CREATE INDEX sessions_user ON sessions (user_id, revoked_at);

-- Failed login attempts in the recent past. Kept in the database (not in memory) so the
-- limit holds across several server instances sharing one Postgres.
CREATE TABLE login_failures (
    id        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username  TEXT NOT NULL,
    ip        TEXT,
    at_ms     BIGINT NOT NULL
);
CREATE INDEX login_failures_username ON login_failures (username, at_ms);
CREATE INDEX login_failures_ip ON login_failures (ip, at_ms);
CREATE INDEX login_failures_at ON login_failures (at_ms);
