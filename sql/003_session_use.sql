-- Sessions that end when they should: when each was last used (the idle
-- timeout; written at most once per session.touch_seconds), the identity
-- provider's session id of the token it came from (back-channel logout),
-- and where it was made (for the operator; never exported).

ALTER TABLE sessions
    ADD COLUMN IF NOT EXISTS last_used_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    ADD COLUMN IF NOT EXISTS sid VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin NULL,
    ADD COLUMN IF NOT EXISTS client_addr VARCHAR(45) NOT NULL DEFAULT '',
    ADD COLUMN IF NOT EXISTS user_agent VARCHAR(255) NOT NULL DEFAULT '',
    ADD INDEX IF NOT EXISTS sessions_used (last_used_at),
    ADD INDEX IF NOT EXISTS sessions_sid (sid);

INSERT IGNORE INTO schema_migrations (version) VALUES ('003_session_use');
