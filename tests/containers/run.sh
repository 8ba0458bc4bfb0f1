#!/bin/sh
# tests/containers/run.sh - `make test-containers`: the compose stack built
# and run as an operator would, on podman serving Docker's API to Debian's
# docker-compose (no registry needed).  Not part of `make test`: it takes
# minutes and installs an engine.
#   1. installs podman, docker-compose, debootstrap ... from Debian
#   2. engine settings in a PRIVATE containers.conf (var/containers/, never
#      /etc), `podman system service` on a private socket, DOCKER_HOST
#   3. base images when missing (deploy/docker/base-images.sh)
#   4. the README's 部署 walk, its two sh blocks verbatim (only the env
#      file's path differs), with checks on what it printed
#   5b. kills a service, then PostgreSQL: both restart, the services
#      reconnect
#   5. the web console (issue 16): the README's third block adds a web
#      account in the `keys` container and hands it out; a sign-in over
#      HTTP on the published port (303, yjc_sid, then /apps 200 with the
#      unit's application); its one secret; disabled, it is refused
#   6. the README's fourth block: a second review instance (profile twin);
#      the first is stopped, the bureau's accept is answered and its event
#      reaches audit; the first comes back.  Then `down -v`
# Prints `N passed, N failed`.  YJC_CT_KEEP=1 leaves the stack up.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 1
. "$ROOT/deploy/services.sh"
STATE=$ROOT/var/containers
PKGS="podman docker-compose debootstrap runc conmon netavark aardvark-dns \
catatonit uidmap slirp4netns golang-github-containers-common"
export COMPOSE_PROJECT_NAME=${YJC_CT_PROJECT:-yjcct}
passed=0 failed=0
t0=$(date +%s)

say() { printf '[%4ss] %s\n' $(($(date +%s) - t0)) "$*"; }
ok() { passed=$((passed + 1)); say "ok   $*"; }
bad() { failed=$((failed + 1)); say "FAIL $*"; }
check() { # check NAME COMMAND...
    name=$1; shift
    if "$@" > "$STATE/last.out" 2>&1; then ok "$name"
    else bad "$name"; tail -15 "$STATE/last.out" | sed 's/^/     /'; fi
}
finish() {
    [ -n "${poller:-}" ] && kill "$poller" 2>/dev/null
    # for the post-mortem: every container's log (debug level: each request)
    [ -n "${dc:-}" ] && $dc --profile demo --profile twin logs --no-color > "$STATE/compose.log" 2>&1
    if [ -z "${YJC_CT_KEEP:-}" ] && [ -n "${dc:-}" ]; then
        $dc --profile demo --profile tools --profile twin down -v --remove-orphans \
            > "$STATE/down.log" 2>&1 || tail -5 "$STATE/down.log"
        rm -rf "$ROOT/work"
    fi
    [ -n "${service:-}" ] && [ -z "${YJC_CT_KEEP:-}" ] && kill "$service" 2>/dev/null
    say "done in $(($(date +%s) - t0)) s"
    echo "$passed passed, $failed failed"
    [ "$failed" = 0 ] && [ "$passed" -gt 0 ]
    exit $?
}

# ---- 1. packages ----------------------------------------------------------
missing=
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
        missing="$missing $p"
done
if [ -n "$missing" ]; then
    say "apt-get install$missing"
    { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
        --no-install-recommends $missing; } > /tmp/yjc-ct-apt.log 2>&1 ||
        { tail -20 /tmp/yjc-ct-apt.log; echo "0 passed, 1 failed"; exit 1; }
fi

# ---- 2. engine ------------------------------------------------------------
mkdir -p "$STATE"
# root in a container sandbox, cgroups v2 hybrid, a hard limit of 20 000
# open files: the settings podman needs here, for this run only
cat > "$STATE/containers.conf" <<'CONF'
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
CONF
export CONTAINERS_CONF="$STATE/containers.conf"
sock=$STATE/podman.sock
rm -f "$sock"
podman system service --time=0 "unix://$sock" > "$STATE/service.log" 2>&1 &
service=$!
export DOCKER_HOST="unix://$sock"
i=0
while [ ! -S "$sock" ] && [ $i -lt 50 ]; do sleep 0.2; i=$((i + 1)); done
check "podman serves Docker's API on $sock" docker-compose version
dc=docker-compose

# ---- 3. base images -------------------------------------------------------
check "base images debian:12, debian:12-slim, postgres:15 (built locally if missing)" \
    sh deploy/docker/base-images.sh

# healthchecks need systemd timers under podman: this loop is that timer.
# Each check is a `podman exec` (~0.4 s of a busy machine): containers not
# yet healthy every 2 s, all of them every 20 s.
poll_health() {
    n=0
    while :; do
        for c in $(podman ps -q --filter "label=com.docker.compose.project=$COMPOSE_PROJECT_NAME"); do
            st=$(podman inspect -f '{{.State.Health.Status}}' "$c" 2>/dev/null)
            [ -z "$st" ] && continue # no healthcheck
            [ "$st" = healthy ] && [ $((n % 10)) != 0 ] && continue
            podman healthcheck run "$c" > /dev/null 2>&1
        done
        n=$((n + 1))
        sleep 2
    done
}
poll_health &
poller=$!

# ---- 4. the README's walk -------------------------------------------------
# its sh blocks: 1 installs the env file, 2 the walk, 3 a web account, 4 twin
readme_block() { # N: the Nth ```sh block of the 部署 section
    awk -v n="$1" '/^## 部署/ { on = 1; next } on && /^## / { exit }
        on && /^```sh$/ { k++; if (k == n) { p = 1; next } }
        p && /^```$/ { exit } p { print }' README.md
}
readme_block 1 > "$STATE/walk1.sh"
readme_block 2 > "$STATE/walk2.sh"
readme_block 3 > "$STATE/walkweb.sh"
readme_block 4 > "$STATE/walk3.sh"
check "README's 部署 section has its blocks" \
    grep -q 'run --rm cli' "$STATE/walk2.sh"
envfile=$STATE/yjcloud.env
rm -f "$envfile"
sed "s|/etc/yjcloud.env|$envfile|" "$STATE/walk1.sh" > "$STATE/walk1-here.sh"
check "walk 1: env file installed mode 600" sh -e "$STATE/walk1-here.sh"
check "env file is mode 600" sh -c "stat -c %a '$envfile' | grep -qx 600"
# fill it as the operator would: every password, fresh; free host ports
for var in $(grep -o '^[A-Z_]*PASSWORD=' "$envfile" | tr -d =); do
    pw=$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')
    sed -i "s|^$var=\$|$var=$pw|" "$envfile"
done
# distinct ports below the ephemeral range (tests/tools/free_port.py says why)
portfile="$envfile.ports"
/usr/bin/python3 "$ROOT/tests/tools/free_port.py" 32 > "$portfile"
free_port() { head -n 1 "$portfile"; sed -i 1d "$portfile"; }
for spec in $YJC_SERVICE_SPECS; do
    yjc_spec "$spec"
    echo "YJC_${svc_ident}_PORT=$(free_port)" >> "$envfile"
done
echo "YJC_VENDOR_PORT=$(free_port)" >> "$envfile"
echo "YJC_REVIEW_2_PORT=$(free_port)" >> "$envfile"
# the console's page port (8080 by default): free too, the machine is shared
webport=$(free_port)
echo "YJC_WEB_HTTP_PORT=$webport" >> "$envfile"
sed -i 's/^YJC_LOG_LEVEL=.*/YJC_LOG_LEVEL=debug/' "$envfile"
dc="docker-compose --env-file $envfile"
check "compose refuses to start without a password, naming it" sh -c \
    "sed '/^YJC_AUDIT_DB_PASSWORD=/d' '$envfile' > '$STATE/nopw.env';
     ! docker-compose --env-file '$STATE/nopw.env' config -q 2> '$STATE/nopw.err' &&
     grep -q YJC_AUDIT_DB_PASSWORD '$STATE/nopw.err'"

# walk 2, verbatim but for the env file's path; output kept for the checks
sed "s|/etc/yjcloud.env|$envfile|" "$STATE/walk2.sh" > "$STATE/walk2-here.sh"
say "walk 2: build, up, apply ... (output in $STATE/walk2.log)"
timeout 1800 sh -ex "$STATE/walk2-here.sh" > "$STATE/walk2.log" 2>&1
rc=$?
if [ $rc = 0 ]; then ok "walk 2 ran to its end"
else bad "walk 2 stopped (exit $rc)"; tail -30 "$STATE/walk2.log" | sed 's/^/     /'; fi
log=$STATE/walk2.log
nsvc=$(echo "$YJC_SCHEMAS" | wc -w)
check "status: all $nsvc services run and reach the database" \
    test "$(grep -c '运行 .* 可连接' "$log")" -ge "$nsvc"
check "status: the console's pages answer (网页地址 http://web:8080/ 可以访问)" \
    grep -q '^网页地址 http://web:8080/ 可以访问' "$log"
check "apply with materials: A000001" grep -q 'A000001' "$log"
check "the vendor simulator delivered: 测试中" grep -q '测试中' "$log"
sum=$(sha256sum "$ROOT/work/建设方案.pdf" 2>/dev/null | cut -c1-64)
orig=$(sha256sum tests/data/materials/construction-plan.pdf | cut -c1-64)
check "downloaded file in the mounted folder matches its SHA-256" \
    test -n "$sum" -a "$sum" = "$orig"
# every event of the walk, from every service, in the audit trail
for ev in 提交申请 受理 审核通过 向供应商下单 供应商确认订单 供应商完成交付 开始计费区间; do
    check "auditor sees $ev" grep -q "A000001  $ev" "$log"
done
check "audit verify: 审计记录完整" grep -q '审计记录完整' "$log"

# ---- secrets: one per container -------------------------------------------
cid() { $dc --profile twin ps -q "$1" 2>/dev/null | head -1; }
for spec in $YJC_SERVICE_SPECS; do
    yjc_spec "$spec"
    check "$svc_dir holds only its own secret key" sh -c \
        "test \"\$(podman exec $(cid "$svc_dir") ls /var/lib/yjcloud/keys/secret)\" = service-$svc_name.cert_secret"
done
check "vendor-sim holds only the vendor's key" sh -c \
    "test \"\$(podman exec $(cid vendor-sim) ls /var/lib/yjcloud/keys/secret)\" = vendor.cert_secret"
check "no password in postgres's environment or secrets folder" sh -c \
    "! podman inspect -f '{{.Config.Env}}' $(cid postgres) | grep -qi 'PASSWORD=' &&
     ! podman exec $(cid postgres) sh -c 'cat /proc/1/environ | tr \"\\0\" \"\\n\"' | grep -q PASSWORD= &&
     test -z \"\$(podman exec $(cid postgres) sh -c 'cat /run/secrets/yjcloud/*')\""
check "ports published on 127.0.0.1 only" sh -c \
    "podman port $(cid intake) | grep -v '^$' | grep -vq '127.0.0.1' && exit 1; podman port $(cid intake) | grep -q 127.0.0.1"
check "the image holds no key, password or build folder" sh -c \
    "! podman run --rm --entrypoint sh yjcloud:latest -c 'find / -xdev \\( -name \"*.cert_secret\" -o -name \"*.env\" -o -path /src \\) -print' 2>/dev/null | grep -q ."
size=$(podman image inspect -f '{{.Size}}' yjcloud:latest 2>/dev/null)
say "image yjcloud:latest: $((size / 1000000)) MB"

healthy() { # healthy SERVICE: its healthcheck passes now, within 2 min
    i=0
    while [ $i -lt 60 ]; do
        podman healthcheck run "$(cid "$1")" > /dev/null 2>&1 && return 0
        sleep 2; i=$((i + 1))
    done
    return 1
}
# ---- 5. the web console -----------------------------------------------------
# ONE SECRET, for the web container: the one key it can use is its own
# (service-web, to write its sign-in events); the web accounts' keys are
# there only sealed (Argon2id + secretbox, KEYS/web/NAME.sealed), useless
# without the person's password, which the container never stores: it
# unseals a key into locked memory at sign-in, for that session only.  So
# the check: secret/ holds service-web's key alone, web/ holds nothing but
# sealed files (none a plain key file), no other key file anywhere in it,
# and the one-time password is in neither its environment nor its files.
check "web healthy" healthy web
check "the console answers on 127.0.0.1:$webport (published port)" python3 -c \
    "import urllib.request as u; assert u.urlopen('http://127.0.0.1:$webport/login', timeout=30).status == 200"
check "its page port published on 127.0.0.1 only" sh -c \
    "podman port $(cid web) 8080 | grep -qx '127.0.0.1:$webport'"
check "README's third block adds a web account in the keys container" \
    grep -q 'run --rm keys yjcloud web-user add' "$STATE/walkweb.sh"
sed "s|/etc/yjcloud.env|$envfile|" "$STATE/walkweb.sh" > "$STATE/walkweb-here.sh"
check "walk web (README): account added and handed out" \
    env dc="$dc" sh -ex "$STATE/walkweb-here.sh"
cp "$STATE/last.out" "$STATE/walkweb.log"
wname=$(sed -n 's/.*web-user add \([a-z0-9_-]*\).*/\1/p' "$STATE/walkweb.sh" | head -1)
wpass=$(sed -n "s/^账号 $wname 的一次性密码（[^）]*）：\([A-Za-z0-9]*\)\r*\$/\1/p" \
    "$STATE/walkweb.log" | head -1)
check "its one-time password printed once (${wname:-no name})" \
    test -n "$wpass" -a "$(grep -c 一次性密码 "$STATE/walkweb.log")" = 1
wc=$(cid web)
check "the web container sees $wname's sealed key (volume keys-web)" sh -c \
    "podman exec $wc ls /var/lib/yjcloud/keys/web | grep -qx '$wname.sealed' &&
     podman exec $wc head -c 2 /var/lib/yjcloud/keys/web/$wname.sealed | grep -qx v1"
check "the services see $wname's public key (volume keys-public)" sh -c \
    "podman exec $(cid intake) ls /var/lib/yjcloud/keys/public | grep -qx '$wname.cert'"
signin() { python3 tests/containers/websignin.py "127.0.0.1:$webport" "$@"; }
check "sign-in without the login CSRF token: 403, no session" \
    signin "$wname" "$wpass" nocsrf
check "sign-in with a wrong password: 401, no session" \
    signin "$wname" "x$wpass" refused 账号或密码不正确
check "$wname signs in: 303 + yjc_sid, /apps 200 lists A000001 (县教育局's)" \
    signin "$wname" "$wpass" ok A000001
audited_web() { # audited_web TYPE WORDS: that event of $wname in the trail
    i=0
    while [ $i -lt 12 ]; do
        YJC_AS=auditor $dc run --rm --no-deps cli audit events --type "$1" |
            grep "$2" | grep -q "$wname" && return 0
        sleep 5; i=$((i + 1))
    done
    return 1
}
check "the sign-in reaches audit (网页登录 by $wname: web's outbox, its own key)" \
    audited_web web.signed_in 网页登录
check "web holds one usable secret: secret/ is service-web's key alone" sh -c \
    "test \"\$(podman exec $wc ls /var/lib/yjcloud/keys/secret)\" = service-web.cert_secret"
check "web's other key files are sealed accounts only (no plain key)" sh -c \
    "test -z \"\$(podman exec $wc find /var/lib/yjcloud/keys/web -type f ! -name '*.sealed')\" &&
     ! podman exec $wc sh -c 'grep -l secret-key /var/lib/yjcloud/keys/web/*' &&
     test \"\$(podman exec -u 0 $wc find / -xdev -name '*.cert_secret' 2>/dev/null)\" = ''"
check "web holds no password of an account (environment, keys)" sh -c \
    "! podman exec $wc sh -c 'cat /proc/1/environ' | grep -qa '$wpass' &&
     ! podman exec $wc grep -rqa '$wpass' /var/lib/yjcloud"
check "walk web again: the same name is refused (nothing overwritten)" sh -c \
    "! env dc='$dc' sh -e '$STATE/walkweb-here.sh'"
check "$wname disabled (web-user disable, then keys hands out)" sh -c \
    "$dc run --rm keys yjcloud web-user disable $wname && $dc run --rm keys"
check "the services no longer see $wname's public key" sh -c \
    "! podman exec $(cid intake) ls /var/lib/yjcloud/keys/public | grep -qx '$wname.cert'"
check "disabled: the right password is refused (该账号已停用)" \
    signin "$wname" "$wpass" refused 该账号已停用
check "the refused attempt reaches audit (已停用的网页账号尝试登录)" \
    audited_web web.signin_disabled 已停用的网页账号尝试登录

# ---- 5b. crashes -----------------------------------------------------------
restarted() { # restarted SERVICE: SIGKILL its main process, see it back
    c=$(cid "$1")
    before=$(podman inspect -f '{{.RestartCount}}' "$c")
    kill -KILL "$(podman inspect -f '{{.State.Pid}}' "$c")"
    sleep 3
    i=0
    while [ $i -lt 60 ]; do
        [ "$(podman inspect -f '{{.RestartCount}}' "$c")" -gt "$before" ] &&
            [ "$(podman inspect -f '{{.State.Running}}' "$c")" = true ] && return 0
        sleep 1; i=$((i + 1))
    done
    return 1
}
check "review killed (SIGKILL): restarted" restarted review
check "review healthy again" healthy review
check "PostgreSQL killed (SIGKILL): restarted" restarted postgres
check "PostgreSQL healthy again" healthy postgres
for spec in $YJC_SERVICE_SPECS; do
    yjc_spec "$spec"
    check "$svc_dir reconnected to PostgreSQL (healthy)" healthy "$svc_dir"
done
listed() { # the bureau's list (intake and its database), within a minute
    i=0
    while [ $i -lt 6 ]; do
        YJC_AS=bureau $dc run --rm cli list 2>&1 | grep -q A000001 && return 0
        sleep 5; i=$((i + 1))
    done
    return 1
}
check "after both: the bureau's list shows A000001 again" listed

# ---- 6. two instances of review ------------------------------------------
check "README's fourth block starts the second review instance" \
    grep -q -- '--profile twin' "$STATE/walk3.sh"
sed "s|/etc/yjcloud.env|$envfile|" "$STATE/walk3.sh" > "$STATE/walk3-here.sh"
check "walk 3 (README): review-2 up" env dc="$dc" sh -ex "$STATE/walk3-here.sh"
check "review-2 healthy" healthy review-2
# a new application while both run (intake), for the bureau to accept
apply2() {
    YJC_AS=edu $dc run --rm cli apply form-full.json \
        --attach construction_plan=materials/construction-plan.pdf \
        --attach deployment_plan=materials/deployment-plan.pdf \
        --attach equipment_statement=materials/equipment-statement.pdf \
        --attach backup_plan=materials/backup-plan.pdf \
        --attach security_plan=materials/security-plan.pdf
}
# its number: the sequence may have skipped ahead (PostgreSQL was killed)
app2=$(apply2 2>&1 | grep -o '申请编号 A[0-9]*' | grep -o 'A[0-9]*')
check "edu applies again: ${app2:-no number}" test -n "$app2"
stopped() { # SIGKILL at once (stop -t 0), and no restart: stopped by hand
    c=$(cid review)
    $dc stop -t 0 review && sleep 3 &&
        test "$(podman inspect -f '{{.State.Running}}' "$c")" = false
}
check "the first review instance stopped (stop -t 0), stays down" stopped
# --no-deps: `run` would otherwise start review again (cli depends on it).
# The accept may find A000002 not yet delivered to review-2 (intake's
# relay reconnects and retries): a clerk would try again, so does this.
accepted() {
    i=0
    while [ $i -lt 12 ]; do
        YJC_AS=bureau $dc run --rm --no-deps cli accept "$app2" && return 0
        sleep 5; i=$((i + 1))
    done
    return 1
}
check "review stopped: the bureau's accept answered (by review-2)" accepted
check "review-2 ran it (its log)" sh -c \
    "$dc --profile twin logs --no-color review-2 | grep -q 'app=$app2] review.accept done'"
audited() { # 受理 of $app2, written by review-2, in the audit trail
    i=0
    while [ $i -lt 12 ]; do
        YJC_AS=auditor $dc run --rm --no-deps cli audit events --app "$app2" |
            grep -q "$app2  受理" && return 0
        sleep 5; i=$((i + 1))
    done
    return 1
}
check "review stopped: its event reaches audit ($app2 受理)" audited
check "review started again" $dc start review
check "review healthy again, beside review-2" healthy review
finish
