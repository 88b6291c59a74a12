-- Synced documents, the change log, and the projections derived from them.
-- Documents are the source of truth; every table below `change_log` can be rebuilt from
-- the log with `dialbook-server rebuild-projections`.

-- One row per synced document: its current state and who may read it.
CREATE TABLE docs (
    doc_id       TEXT PRIMARY KEY,
    kind         TEXT NOT NULL,            -- 'lead' | 'team'
    snapshot     BLOB NOT NULL,            -- Automerge save()
    public       BIGINT NOT NULL DEFAULT 0, -- 1: every user may read (the team doc)
    assignee     BIGINT,                   -- the telecaller who may read and write it
    created_seq  BIGINT NOT NULL,          -- log position that created it
    access_seq   BIGINT NOT NULL,          -- log position of the current assignment
    updated_seq  BIGINT NOT NULL
);
CREATE INDEX docs_assignee ON docs (assignee, access_seq);
CREATE INDEX docs_created ON docs (created_seq);

-- Every accepted change, in commit order. `seq` order is commit order (writes are
-- serialised), so a pull cursor never skips a change committed later with a lower seq.
CREATE TABLE change_log (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    doc_id      TEXT NOT NULL,
    changes     BLOB NOT NULL,             -- raw Automerge changes, concatenated
    pushed_by   BIGINT,
    pushed_session BIGINT,                 -- the device that pushed it already has it
    created_at  BIGINT NOT NULL
);
CREATE INDEX change_log_doc ON change_log (doc_id, seq);

-- A user lost access to a doc at `seq` (reassigned away).
CREATE TABLE revocations (
    seq      BIGINT NOT NULL,
    doc_id   TEXT NOT NULL,
    user_id  BIGINT NOT NULL
);
CREATE INDEX revocations_user ON revocations (user_id, seq);

-- Projection: one row per lead, for dashboards, search, export and reminders.
CREATE TABLE leads (
    lead_id       TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    mobile        TEXT NOT NULL,           -- E.164
    alt_mobile    TEXT,
    source        TEXT NOT NULL,
    status        TEXT NOT NULL,
    follow_up     BIGINT,
    assignee      BIGINT,
    deleted       BIGINT NOT NULL,
    tags          TEXT NOT NULL,           -- comma-separated
    custom        TEXT NOT NULL,           -- JSON object
    notes         TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    created_by    BIGINT NOT NULL,
    created_seq   BIGINT NOT NULL,         -- creation order (import order within a batch)
    call_count    BIGINT NOT NULL,
    last_call_at  BIGINT,
    last_outcome  TEXT,
    updated_seq   BIGINT NOT NULL
);
CREATE INDEX leads_mobile ON leads (mobile);
CREATE INDEX leads_alt_mobile ON leads (alt_mobile);
CREATE INDEX leads_assignee_status ON leads (assignee, status);
CREATE INDEX leads_follow_up ON leads (follow_up);

-- Projection: one row per call attempt.
CREATE TABLE call_activities (
    lead_id        TEXT NOT NULL,
    activity_id    TEXT NOT NULL,
    at             BIGINT NOT NULL,
    by_user        BIGINT NOT NULL,
    device         TEXT NOT NULL,
    outcome        TEXT NOT NULL,
    duration_secs  BIGINT NOT NULL,
    note           TEXT NOT NULL,
    PRIMARY KEY (lead_id, activity_id)
);
CREATE INDEX call_activities_at ON call_activities (at);
CREATE INDEX call_activities_by ON call_activities (by_user, at);

-- Server facts: `epoch` (random, names this database for pull cursors).
CREATE TABLE server_meta (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);
