#!/bin/bash
# Migrations: scripts/migrate.sh (make migrate, installed as gwauth-migrate)
# applies pending files in order, records versions and checksums, and
# refuses a file that changed after it was applied.
# shellcheck shell=bash
# alone (prove, ./t_80_migrate.sh): run.sh runs this file with a MariaDB of its own
[ "${BASH_SOURCE[0]}" != "$0" ] || exec "$(dirname "$0")/run.sh" "$(basename "$0")"
section "migrations"
MIG="$GW_TOP/scripts/migrate.sh"
SU=(--socket="$DB_DIR/mysql.sock" -u"$(id -un)")
out=$("$MIG" -d "$DB_NAME" "${SU[@]}" 2>&1); rc=$?
expect_eq "migrate on an up-to-date database: exit 0" "$rc" 0
NMIG=$(ls "$GW_TOP"/sql/[0-9][0-9][0-9]_*.sql | wc -l)
expect_has "...nothing applied" "$out" "0 applied, $NMIG already applied"
sqlv "CREATE DATABASE gwauth_m CHARACTER SET utf8mb4"
out=$(make -s -C "$GW_TOP" migrate MIGRATE_ARGS="-d gwauth_m ${SU[*]}" 2>&1); rc=$?
expect_eq "make migrate on an empty database: exit 0" "$rc" 0
expect_has "...prints what it applied" "$out" "applying 001_base"
expect_has "...in order" "$out" "applying 002_leases"
expect_has "...and the summary" "$out" "$NMIG applied, 0 already applied"
expect_eq "...tables created" "$(sqlv "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA='gwauth_m' AND TABLE_NAME IN ('users','user_profiles','groups','user_groups','sessions','leases','schema_migrations')")" 7
expect_eq "...the session purge lease exists, expired" \
    "$(sqlv "SELECT COUNT(*) FROM gwauth_m.leases WHERE name = 'session_purge' AND expires_at < NOW(6)")" 1
expect_eq "...version recorded with the file's SHA-256" \
    "$(sqlv "SELECT checksum FROM gwauth_m.schema_migrations WHERE version='001_base'")" \
    "$(sha256sum "$GW_TOP/sql/001_base.sql" | cut -d' ' -f1)"
for f in "$GW_TOP"/sql/[0-9][0-9][0-9]_*.sql; do
    gw_sql "$DB_DIR" gwauth_m <"$f" && gw_sql "$DB_DIR" gwauth_m <"$f"
    expect_eq "$(basename "$f") itself is idempotent (applied twice by hand)" "$?" 0
done
M="$T/mig"
mkdir -p "$M"
cp "$GW_TOP"/sql/*.sql "$M/"
printf 'CREATE TABLE IF NOT EXISTS app_extra (user_id BIGINT UNSIGNED PRIMARY KEY, team VARCHAR(20) NOT NULL DEFAULT "");\n' >"$M/900_app_extra.sql"
out=$("$MIG" -d gwauth_m --dir "$M" "${SU[@]}" 2>&1)
expect_has "a new migration is applied in order" "$out" "applying 900_app_extra"
expect_has "...and only it" "$out" "1 applied, $NMIG already applied"
out=$("$MIG" -q -d gwauth_m --dir "$M" "${SU[@]}" 2>&1)
expect_eq "running again applies nothing (-q: only the summary)" "$out" "migrate: gwauth_m: 0 applied, $((NMIG + 1)) already applied"
echo "-- edited after it was applied" >>"$M/001_base.sql"
out=$("$MIG" -d gwauth_m --dir "$M" "${SU[@]}" 2>&1); rc=$?
expect_eq "an applied file that changed is refused: exit 1" "$rc" 1
expect_has "...saying which and why" "$out" "001_base was applied with checksum"
sqlv "CREATE USER 'mig'@'127.0.0.1' IDENTIFIED BY 'mig-pw'; GRANT ALL ON gwauth_m.* TO 'mig'@'127.0.0.1'"
out=$("$MIG" -q -d gwauth_m -h 127.0.0.1 -P "$DB_PORT" -u mig -pmig-pw 2>&1); rc=$?
expect_eq "-h HOST is the client's host option (it migrates over TCP, it does not print help)" \
    "$rc $out" "0 migrate: gwauth_m: 0 applied, $NMIG already applied"
out=$("$MIG" --help); rc=$?
expect_eq "--help: exit 0" "$rc" 0
expect_has "...with the name it was called by" "$out" "Usage: migrate.sh [-q]"
out=$("$MIG" -d no_such_db "${SU[@]}" 2>&1); rc=$?
expect_eq "a missing database: exit 1" "$rc" 1
expect_has "...with a clear message" "$out" "database 'no_such_db' does not exist"
