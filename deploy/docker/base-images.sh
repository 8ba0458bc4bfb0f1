#!/bin/sh
# base-images.sh - builds, without a registry, the base images that
# deploy/Dockerfile and docker-compose.yml name, when the engine lacks them:
#   debian:12        debootstrap --variant=minbase bookworm, from the apt
#                    mirror this machine already uses (/etc/apt/sources.list*)
#   debian:12-slim   the same with the official slim images' dpkg/apt
#                    clean-up settings (no docs, man pages, locales, apt lists)
#   postgres:15      a stand-in for the official image: Debian's
#                    postgresql-15 and deploy/docker/postgres/ (its
#                    entrypoint honours the official image's variables)
# Run with DOCKER_HOST unset or pointing at podman; uses `podman` itself
# (`podman import` has no docker-compose equivalent).  Needs root and
# debootstrap.  YJC_BASE_MIRROR overrides the mirror.
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PODMAN=${PODMAN:-podman}

have() { $PODMAN image exists "docker.io/library/$1"; }

mirror() {
    [ -n "${YJC_BASE_MIRROR:-}" ] && { echo "$YJC_BASE_MIRROR"; return; }
    # the first Debian main archive of one-line or deb822 sources
    cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
        /etc/apt/sources.list.d/*.sources 2>/dev/null |
        awk '/^deb / && $2 !~ /security/ { print $2; exit }
             /^URIs:/ && $2 !~ /security/ && $2 ~ /debian/ { print $2; exit }'
}

s_debian() {
    have debian:12 && have debian:12-slim && return 0
    m=$(mirror)
    [ -n "$m" ] || { echo "base-images.sh: no Debian mirror in /etc/apt/sources.list*" >&2; exit 1; }
    tmp=$(mktemp -d /var/tmp/yjc-rootfs.XXXXXX)
    trap 'rm -rf "$tmp"' EXIT
    echo "base-images.sh: debootstrap bookworm from $m"
    debootstrap --variant=minbase bookworm "$tmp/root" "$m" > "$tmp/log" 2>&1 ||
        { tail -20 "$tmp/log" >&2; exit 1; }
    # the image's sources: the same mirror
    printf 'deb %s bookworm main\ndeb %s bookworm-updates main\n' "$m" "$m" \
        > "$tmp/root/etc/apt/sources.list"
    # debootstrap leaves the .debs it installed in the apt cache
    rm -rf "$tmp/root/var/lib/apt/lists/"* "$tmp/root/var/cache/apt/"*.bin \
        "$tmp/root/var/cache/apt/archives/"*.deb
    tar -C "$tmp/root" --numeric-owner -c . |
        $PODMAN import --change 'CMD ["bash"]' --change 'ENV LANG=C.UTF-8' \
            - docker.io/library/debian:12
    # slim: what the official debian:*-slim images set (docker-clean etc.)
    d=$tmp/root/etc/dpkg/dpkg.cfg.d a=$tmp/root/etc/apt/apt.conf.d
    cat > "$d/docker" <<'CFG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/lintian/*
CFG
    cat > "$a/docker-clean" <<'CFG'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache ""; Dir::Cache::srcpkgcache "";
CFG
    echo 'Acquire::Languages "none";' > "$a/docker-no-languages"
    echo 'APT::AutoRemove::SuggestsImportant "false";' > "$a/docker-autoremove-suggests"
    find "$tmp/root/usr/share/doc" -mindepth 2 ! -name copyright -type f -delete
    rm -rf "$tmp/root/usr/share/man/"* "$tmp/root/usr/share/info/"* \
        "$tmp/root/usr/share/locale/"* "$tmp/root/var/cache/debconf/"*-old \
        "$tmp/root/var/log/"*.log
    tar -C "$tmp/root" --numeric-owner -c . |
        $PODMAN import --change 'CMD ["bash"]' - docker.io/library/debian:12-slim
    rm -rf "$tmp"
    trap - EXIT
}

s_postgres() {
    have postgres:15 && return 0
    echo "base-images.sh: postgres:15 stand-in from deploy/docker/postgres"
    $PODMAN build -q -t docker.io/library/postgres:15 "$ROOT/deploy/docker/postgres"
}

s_debian
s_postgres
$PODMAN images --format '{{.Repository}}:{{.Tag}} {{.Size}}' | grep library/
