-- Leases: jobs that one process of the whole installation runs at a time
-- (on a Galera cluster, once per cluster, not once per node). A process
-- takes a lease with one UPDATE that succeeds only when it has expired;
-- a concurrent taker on another node loses its certification and skips.
-- holder is for the operator: "host:pid" of the last taker.

CREATE TABLE IF NOT EXISTS leases (
    name       VARCHAR(64)  NOT NULL PRIMARY KEY,
    holder     VARCHAR(255) NOT NULL DEFAULT '',
    expires_at DATETIME(6)  NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

INSERT IGNORE INTO leases (name, expires_at) VALUES ('session_purge', '1970-01-01 00:00:01');

INSERT IGNORE INTO schema_migrations (version) VALUES ('002_leases');
