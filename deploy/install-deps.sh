#!/bin/sh
# install-deps.sh - installs the Debian 12 packages yjcloud needs to build,
# run embedded (PostgreSQL 15) and test.  Does nothing when all are there.
set -eu
PACKAGES="build-essential pkg-config libczmq-dev libzmq3-dev libmsgpack-dev
libpq-dev libsodium-dev libssl-dev libjansson-dev postgresql-15 postgresql-client-15 python3 python3-zmq
python3-msgpack python3-pytest clang-format clang libclang-rt-14-dev libmicrohttpd-dev
chromium chromium-driver python3-selenium
libcairo2-dev libpango1.0-dev fonts-noto-cjk poppler-utils"
missing=""
for p in $PACKAGES; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
        missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "installing:$missing"
if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
else
    echo "please install as root: apt-get install$missing" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
