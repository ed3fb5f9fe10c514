#!/bin/bash
# gwauth-migrate: applies the pending sql/NNN_name.sql files in order with the
# mariadb (or mysql) client, and records each in schema_migrations with the
# file's SHA-256. A recorded file whose checksum changed is refused.
#
# Usage: gwauth-migrate [-q] [-d DATABASE] [--dir SQLDIR] [client options...]
#   -d DATABASE  database to migrate (default: gwauth, or $GWAUTH_DB_NAME)
#   --dir DIR    where the .sql files are (default: the sql/ beside this script)
#   -q           print only errors and the summary
# Client options are passed to the client as they are, e.g.
#   gwauth-migrate -d gwauth --socket=/run/mysqld/mysqld.sock -u root
#   gwauth-migrate -d gwauth -h 127.0.0.1 -P 3306 -u admin -p
# (-h is the client's host option; --help prints this.)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
sqldir="$here/../sql"
[ -d "$sqldir" ] || sqldir="$here/../share/gwauth/sql"
db=${GWAUTH_DB_NAME:-gwauth}
quiet=0
args=()
while [ $# -gt 0 ]; do
    case "$1" in
        -d) db=$2; shift 2 ;;
        --dir) sqldir=$2; shift 2 ;;
        -q) quiet=1; shift ;;
        --help) sed -n '2,14p' "$0" | sed -e 's/^# \{0,1\}//' -e "s/gwauth-migrate/$(basename "$0")/g"; exit 0 ;;
        *) args+=("$1"); shift ;;
    esac
done
client=$(command -v mariadb || command -v mysql) || { echo "migrate: no mariadb/mysql client" >&2; exit 1; }
case "$db" in *[!A-Za-z0-9_]*|"") echo "migrate: bad database name '$db'" >&2; exit 1 ;; esac

sql() { "$client" --no-defaults "${args[@]}" --batch --skip-column-names "$db" "$@"; }

"$client" --no-defaults "${args[@]}" -e "SELECT 1" >/dev/null || { echo "migrate: cannot connect" >&2; exit 1; }
sql -e "SELECT 1" >/dev/null 2>&1 || { echo "migrate: database '$db' does not exist (create it first)" >&2; exit 1; }
sql -e "CREATE TABLE IF NOT EXISTS schema_migrations (version VARCHAR(64) NOT NULL PRIMARY KEY,
        checksum CHAR(64) NOT NULL DEFAULT '', applied_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6))
        ENGINE=InnoDB DEFAULT CHARSET=utf8mb4"

applied=0 skipped=0
shopt -s nullglob
files=("$sqldir"/[0-9][0-9][0-9]_*.sql)
[ ${#files[@]} -gt 0 ] || { echo "migrate: no migrations in $sqldir" >&2; exit 1; }
for f in "${files[@]}"; do
    v=$(basename "$f" .sql)
    sum=$(sha256sum "$f" | cut -d' ' -f1)
    old=$(sql -e "SELECT checksum FROM schema_migrations WHERE version = '$v'")
    if [ -n "$old" ]; then
        if [ "$old" != "$sum" ]; then
            echo "migrate: $v was applied with checksum $old but the file now has $sum; refusing (write a new migration instead)" >&2
            exit 1
        fi
        skipped=$((skipped + 1))
        continue
    fi
    [ $quiet = 1 ] || echo "applying $v"
    sql <"$f" || { echo "migrate: $v failed" >&2; exit 1; }
    sql -e "INSERT INTO schema_migrations (version, checksum) VALUES ('$v', '$sum')
            ON DUPLICATE KEY UPDATE checksum = VALUES(checksum)"
    applied=$((applied + 1))
done
echo "migrate: $db: $applied applied, $skipped already applied"
