/// The PostgreSQL schema, one list of statements per version. Times are epoch milliseconds (`bigint`), as on
/// SQLite, so every rule reads the same numbers on both.
enum Schema {
    /// The session advisory lock held while migrating (any constant shared by every Herald).
    static let migrationLock: Int64 = 0x4845_5241_4C44  // "HERALD"
    /// The channel `NOTIFY` wakes idle workers on when messages become due.
    static let wakeChannel = "herald_due"

    static let v1: [String] = [
        """
        CREATE TABLE meta (key text PRIMARY KEY, value text NOT NULL)
        """,
        """
        INSERT INTO meta (key, value) VALUES ('instance', substr(md5(random()::text || clock_timestamp()::text), 1, 8))
        """,
        """
        CREATE TABLE contact (
            id text PRIMARY KEY,
            phone text,
            name text,
            language text,
            language_chosen boolean NOT NULL DEFAULT false,
            time_zone text,
            time_zone_chosen boolean NOT NULL DEFAULT false,
            region text,
            opted_out_all boolean NOT NULL DEFAULT false,
            opted_out_categories text NOT NULL DEFAULT '',
            quiet_hours text,
            created_at bigint NOT NULL,
            updated_at bigint NOT NULL
        )
        """,
        "CREATE INDEX contact_phone ON contact (phone)",
        """
        CREATE TABLE event (
            id text PRIMARY KEY,
            type text NOT NULL,
            occurred_at bigint NOT NULL,
            received_at bigint NOT NULL,
            payload text NOT NULL,
            rules text NOT NULL
        )
        """,
        "CREATE INDEX event_type ON event (type, received_at)",
        """
        CREATE TABLE message (
            id bigserial PRIMARY KEY,
            event_id text NOT NULL REFERENCES event (id),
            template text NOT NULL,
            contact_id text NOT NULL,
            phone text NOT NULL,
            category text NOT NULL,
            priority text NOT NULL,
            locale text NOT NULL,
            time_zone text NOT NULL,
            text text NOT NULL,
            encoding text NOT NULL,
            units integer NOT NULL,
            segments integer NOT NULL,
            status text NOT NULL,
            reason text,
            created_at bigint NOT NULL,
            due_at bigint NOT NULL,
            not_before bigint NOT NULL,
            expires_at bigint NOT NULL,
            updated_at bigint NOT NULL,
            attempts integer NOT NULL DEFAULT 0,
            lease_until bigint,
            provider_id text,
            last_error text,
            sent_at bigint,
            finished_at bigint,
            resend_of bigint REFERENCES message (id)
        )
        """,
        // What the worker claims: waiting messages by due time, and claims whose lease ran out.
        "CREATE INDEX message_waiting ON message (due_at, id) WHERE status IN ('queued', 'deferred', 'retry', 'disabled')",
        "CREATE INDEX message_leased ON message (lease_until, id) WHERE status = 'sending'",
        "CREATE INDEX message_contact ON message (contact_id, created_at)",
        "CREATE INDEX message_event ON message (event_id)",
        "CREATE INDEX message_created ON message (created_at)",
        "CREATE INDEX message_status ON message (status)",
        "CREATE INDEX message_provider ON message (provider_id) WHERE provider_id IS NOT NULL",
        """
        CREATE TABLE decision (
            id bigserial PRIMARY KEY,
            event_id text NOT NULL REFERENCES event (id),
            template text NOT NULL,
            contact_id text NOT NULL,
            action text NOT NULL,
            reason text,
            message_id bigint REFERENCES message (id),
            decided_at bigint NOT NULL,
            body text NOT NULL
        )
        """,
        "CREATE INDEX decision_event ON decision (event_id, contact_id)",
        "CREATE INDEX decision_contact ON decision (contact_id, decided_at)",
        """
        CREATE TABLE attempt (
            id bigserial PRIMARY KEY,
            message_id bigint NOT NULL REFERENCES message (id),
            number integer NOT NULL,
            sender text NOT NULL,
            started_at bigint NOT NULL,
            latency_ms bigint NOT NULL,
            outcome text NOT NULL,
            http_status integer,
            error text,
            provider_id text,
            result text NOT NULL,
            next_at bigint
        )
        """,
        "CREATE INDEX attempt_message ON attempt (message_id)",
        """
        CREATE TABLE report (
            id bigserial PRIMARY KEY,
            reference text NOT NULL,
            message_id bigint,
            status text NOT NULL,
            error_code text,
            received_at bigint NOT NULL
        )
        """,
        "CREATE INDEX report_message ON report (message_id)",
        """
        CREATE TABLE preference_change (
            id bigserial PRIMARY KEY,
            contact_id text NOT NULL,
            at bigint NOT NULL,
            source text NOT NULL,
            changes text NOT NULL
        )
        """,
        "CREATE INDEX preference_change_contact ON preference_change (contact_id, at)",
    ]
}
