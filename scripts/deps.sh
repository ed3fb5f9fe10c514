#!/bin/sh
# Installs the Debian packages gwauth needs to build, test and run its demo,
# when some are missing. Uses sudo when not root. Does nothing when all are there.
# "deps.sh bench": also the benchmark's peers (the Django application,
# mod_auth_openidc).
set -eu
PKGS="build-essential pkg-config libfcgi-dev libcjson-dev libmariadb-dev libssl-dev
lighttpd-modules-lua
libcunit1-dev mariadb-server mariadb-client lighttpd spawn-fcgi curl procps
apache2 libapache2-mod-fcgid man-db systemd wrk valgrind openssl galera-4 rsync python3
prometheus debhelper lintian fakeroot python3-jwt python3-cryptography
nginx-core cppcheck gcovr"
[ "${1:-}" = bench ] && PKGS="$PKGS python3-django gunicorn python3-mysqldb libapache2-mod-auth-openidc"

missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0

echo "gwauth: installing missing Debian packages:$missing"
SUDO=""
if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null 2>&1 || { echo "gwauth: need root or sudo to install:$missing" >&2; exit 1; }
    SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
# Package installs must not start the system's own database or web server.
$SUDO sh -c 'if [ ! -e /usr/sbin/policy-rc.d ]; then printf "#!/bin/sh\nexit 101\n" > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; touch /usr/sbin/policy-rc.d.gwauth; fi'
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
$SUDO sh -c 'if [ -e /usr/sbin/policy-rc.d.gwauth ]; then rm -f /usr/sbin/policy-rc.d /usr/sbin/policy-rc.d.gwauth; fi'
echo "gwauth: packages installed"
