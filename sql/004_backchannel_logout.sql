-- OpenID Connect Back-Channel Logout: the logout tokens already used
-- (their issuer and jti, hashed; kept until they expire, so a replay is
-- refused), the provider sessions ended (issuer and sid, hashed; an ID
-- token of one no longer lets its user in), and for each user the instant
-- of the last logout of all its sessions (an ID token issued before it no
-- longer lets the user in).

CREATE TABLE IF NOT EXISTS logout_tokens (
    token_hash BINARY(32)  NOT NULL PRIMARY KEY,
    expires_at DATETIME(6) NOT NULL,
    KEY logout_tokens_expires (expires_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS ended_sids (
    sid_hash   BINARY(32)  NOT NULL PRIMARY KEY,
    expires_at DATETIME(6) NOT NULL,
    KEY ended_sids_expires (expires_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

ALTER TABLE users ADD COLUMN IF NOT EXISTS logged_out_at DATETIME(6) NULL;

INSERT IGNORE INTO schema_migrations (version) VALUES ('004_backchannel_logout');
