/*  pages.c - sign-in, sign-out, the home page and the routing: each
    role's pages are in their own file (page.h).                        */
#include "page.h"
#include "yjc_log.h"
#include "yjc_webacct.h"
#include <arpa/inet.h>
#include <pthread.h>
#include <sodium.h>

static pthread_mutex_t s_unseal_lock = PTHREAD_MUTEX_INITIALIZER;

/* ---- sign-in and sign-out ------------------------------------------------ */

static char *
s_cookie (const char *sid, bool clear)
{
    return zsys_sprintf ("yjc_sid=%s; Path=/; HttpOnly; SameSite=Strict%s%s",
                         clear ? "" : sid,
                         web.tls ? "; Secure" : "",
                         clear ? "; Max-Age=0" : "");
}

//  Login CSRF (issue 16): the sign-in form carries a fresh random token,
//  also set as a pre-session cookie (HttpOnly, SameSite=Strict, path
//  /login); a sign-in POST whose field and cookie differ is refused, so
//  another site cannot sign a browser in to an account of its choosing.
static enum MHD_Result
s_login_page (struct MHD_Connection *connection,
              unsigned status,
              const char *problem)
{
    //  The browser's token while it has one (a second tab or a favicon
    //  redirected here must not void the form already shown), else new.
    const char *had =
        MHD_lookup_connection_value (connection, MHD_COOKIE_KIND, "yjc_pre");
    char token[65];
    if (had && strlen (had) == 64 && strspn (had, "0123456789abcdef") == 64)
        memcpy (token, had, 65);
    else {
        unsigned char raw[32];
        randombytes_buf (raw, sizeof raw);
        sodium_bin2hex (token, sizeof token, raw, sizeof raw);
    }
    tpl_t *data = page_frame (NULL, "登录");
    if (problem)
        tpl_set (data, "problem", "%s", problem);
    else if (MHD_lookup_connection_value (
                 connection, MHD_GET_ARGUMENT_KIND, "changed"))
        tpl_set (data, "notice", "%s", "密码已修改，请用新密码登录。");
    tpl_set (data, "login_csrf", "%s", token);
    char *html = tpl_render (web.templates, "login", data);
    tpl_destroy (&data);
    if (!html)
        return pages_error (
            connection, MHD_HTTP_INTERNAL_SERVER_ERROR, "页面模板缺失");
    char *cookie =
        zsys_sprintf ("yjc_pre=%s; Path=/login; HttpOnly; SameSite=Strict%s",
                      token,
                      web.tls ? "; Secure" : "");
    enum MHD_Result rc = page_send_cookie (connection,
                                           status,
                                           "text/html; charset=utf-8",
                                           html,
                                           strlen (html),
                                           cookie);
    zstr_free (&cookie);
    return rc;
}

static bool
s_login_csrf_ok (struct MHD_Connection *connection, zhash_t *form)
{
    const char *field = (const char *)zhash_lookup (form, "csrf");
    const char *cookie =
        MHD_lookup_connection_value (connection, MHD_COOKIE_KIND, "yjc_pre");
    return field && cookie && strlen (field) == 64 && strlen (cookie) == 64 &&
           sodium_memcmp (field, cookie, 64) == 0;
}

//  Issue 16: five failures in a minute for an account, and its sixth
//  attempt is refused before any password check; an address gets four
//  times as many (a county office's clerks share one behind NAT).
#define THROTTLE_MAX      5
#define THROTTLE_ADDR_MAX 20

static enum MHD_Result
s_login (struct MHD_Connection *connection, zhash_t *form)
{
    const char *name = (const char *)zhash_lookup (form, "name");
    const char *password = (const char *)zhash_lookup (form, "password");
    char addr[64], akey[80], ikey[80];
    page_addr (connection, addr);
    if (!s_login_csrf_ok (connection, form))
        return s_login_page (
            connection, MHD_HTTP_FORBIDDEN, "登录页面已失效，请重新登录");
    if (!name || !password || !yjc_actor_name_valid (name))
        return s_login_page (
            connection, MHD_HTTP_UNAUTHORIZED, "账号或密码不正确");
    snprintf (akey, sizeof akey, "a:%s", name);
    snprintf (ikey, sizeof ikey, "i:%s", addr);
    if (throttle_count (akey) >= THROTTLE_MAX ||
        throttle_count (ikey) >= THROTTLE_ADDR_MAX) {
        web_record ("web.signin_throttled", name, addr);
        return s_login_page (connection,
                             MHD_HTTP_TOO_MANY_REQUESTS,
                             "登录失败次数过多，请一分钟后再试");
    }
    unsigned char *secret = (unsigned char *)sodium_malloc (32);
    char public_txt[41];
    //  One Argon2id derivation at a time (19 MiB each): the page threads
    //  (web.c) signing in at once would each add it to the console's RSS.
    pthread_mutex_lock (&s_unseal_lock);
    int rc =
        secret
            ? yjc_webacct_unseal (web.keys, name, password, secret, public_txt)
            : YJC_WEBACCT_BAD;
    pthread_mutex_unlock (&s_unseal_lock);
    yjc_actor_t actor;
    if (rc == 0 && web_key_actor (public_txt, &actor) != 0)
        rc = YJC_WEBACCT_DISABLED;
    if (rc != 0) {
        sodium_free (secret);
        throttle_fail (akey);
        throttle_fail (ikey);
        web_record (rc == YJC_WEBACCT_DISABLED ? "web.signin_disabled"
                                               : "web.signin_failed",
                    name,
                    addr);
        return s_login_page (connection,
                             MHD_HTTP_UNAUTHORIZED,
                             rc == YJC_WEBACCT_DISABLED ? "该账号已停用"
                                                        : "账号或密码不正确");
    }
    //  Issue 16: every sign-in is an audit event.  When it cannot be
    //  recorded (the database is down), nobody signs in unrecorded.
    if (web_record ("web.signed_in", name, addr) != 0) {
        sodium_free (secret);
        return s_login_page (connection,
                             MHD_HTTP_SERVICE_UNAVAILABLE,
                             "暂时无法记录登录，请稍后再试");
    }
    session_t s;
    //  (where the console may not write the registry - the containers -
    //  the administrator changes passwords in the keys container)
    bool onetime =
        yjc_webacct_onetime (web.keys, name) && yjc_webacct_writable (web.keys);
    sessions_open (&actor, secret, addr, onetime, &s);
    char *cookie = s_cookie (s.sid, false);
    enum MHD_Result r =
        page_redirect (connection, onetime ? "/password" : "/", cookie);
    zstr_free (&cookie);
    return r;
}

void
pages_session_closed (const session_t *s, const char *why)
{
    web_record (streq (why, "idle") ? "web.session_expired" : "web.signed_out",
                s->actor.name,
                s->addr);
}

/* ---- the person's own password ------------------------------------------ */

static enum MHD_Result
s_password_page (struct MHD_Connection *connection,
                 const session_t *s,
                 unsigned status,
                 const char *problem)
{
    tpl_t *data = page_frame (s, "修改密码");
    if (s->onetime)
        tpl_set (data, "onetime", "1");
    if (problem)
        tpl_set (data, "problem", "%s", problem);
    if (!yjc_webacct_writable (web.keys))
        tpl_set (data, "readonly", "1");
    tpl_set (data, "min", "%d", YJC_WEBACCT_PASSWORD_MIN);
    tpl_set (data, "max", "%d", YJC_WEBACCT_PASSWORD_MAX);
    return page_render (connection, status, "password", data);
}

//  The person sets their own password (a one-time one first: the
//  administrator who made it knows it).  A new key pair is sealed under
//  it and the session ends: the next sign-in uses the new key.  A wrong
//  current password counts towards the sign-in throttle, so a session
//  left open is no way to guess it.
static enum MHD_Result
s_password_change (struct MHD_Connection *connection,
                   const session_t *s,
                   zhash_t *form)
{
    const char *old = (const char *)zhash_lookup (form, "old");
    const char *new1 = (const char *)zhash_lookup (form, "new");
    const char *new2 = (const char *)zhash_lookup (form, "new2");
    char akey[80], err[160], min[64];
    snprintf (akey, sizeof akey, "a:%s", s->actor.name);
    snprintf (min,
              sizeof min,
              "新密码至少 %d 个字符、至多 %d 个字符",
              YJC_WEBACCT_PASSWORD_MIN,
              YJC_WEBACCT_PASSWORD_MAX);
    if (!yjc_webacct_writable (web.keys))
        return s_password_page (connection,
                                s,
                                MHD_HTTP_FORBIDDEN,
                                "本平台的密码由管理员修改，请联系管理员");
    if (!old || !*old)
        return s_password_page (
            connection, s, MHD_HTTP_BAD_REQUEST, "请输入当前密码");
    if (!yjc_webacct_password_ok (new1))
        return s_password_page (connection, s, MHD_HTTP_BAD_REQUEST, min);
    if (!new2 || !streq (new1, new2))
        return s_password_page (
            connection, s, MHD_HTTP_BAD_REQUEST, "两次输入的新密码不一致");
    if (streq (old, new1))
        return s_password_page (
            connection, s, MHD_HTTP_BAD_REQUEST, "新密码不能与当前密码相同");
    if (throttle_count (akey) >= THROTTLE_MAX)
        return s_password_page (connection,
                                s,
                                MHD_HTTP_TOO_MANY_REQUESTS,
                                "密码错误次数过多，请一分钟后再试");
    pthread_mutex_lock (&s_unseal_lock);
    int rc = yjc_webacct_change (
        web.keys, s->actor.name, old, new1, err, sizeof err);
    pthread_mutex_unlock (&s_unseal_lock);
    if (rc == YJC_WEBACCT_BAD) {
        throttle_fail (akey);
        web_record ("web.password_change_failed", s->actor.name, s->addr);
        return s_password_page (
            connection, s, MHD_HTTP_UNAUTHORIZED, "当前密码不正确");
    }
    if (rc != 0) {
        yjc_log (
            YJC_LOG_ERROR, "password change of %s: %s", s->actor.name, err);
        return s_password_page (connection,
                                s,
                                MHD_HTTP_INTERNAL_SERVER_ERROR,
                                "密码未能修改，请稍后再试或联系管理员");
    }
    if (web_record ("web.password_changed", s->actor.name, s->addr) != 0)
        yjc_log (YJC_LOG_WARNING,
                 "password change of %s not recorded",
                 s->actor.name);
    sessions_close (s->sid, pages_session_closed, "password");
    char *cookie = s_cookie ("", true);
    enum MHD_Result r = page_redirect (connection, "/login?changed=1", cookie);
    zstr_free (&cookie);
    return r;
}

/* ---- pages --------------------------------------------------------------- */

static enum MHD_Result
s_home (struct MHD_Connection *connection, const session_t *s)
{
    switch (s->actor.role) {
        case YJC_ROLE_UNIT: return page_redirect (connection, "/apps", NULL);
        case YJC_ROLE_BUREAU: return page_redirect (connection, "/queue", NULL);
        case YJC_ROLE_AUDITOR:
            return page_redirect (connection, "/audit", NULL);
        case YJC_ROLE_VENDOR:
            return page_redirect (connection, "/orders", NULL);
        default:
            return page_render (
                connection, MHD_HTTP_OK, "home", page_frame (s, "首页"));
    }
}

/* ---- routing ------------------------------------------------------------- */

static enum MHD_Result
s_static (struct MHD_Connection *connection)
{
    char *path = zsys_sprintf ("%s/style.css", web.templates);
    zfile_t *file = zfile_new (NULL, path);
    zstr_free (&path);
    char *css = NULL;
    if (file && zfile_input (file) == 0) {
        zchunk_t *chunk = zfile_read (file, zfile_cursize (file), 0);
        css = chunk ? zchunk_strdup (chunk) : NULL;
        zchunk_destroy (&chunk);
    }
    zfile_destroy (&file);
    if (!css)
        return pages_error (
            connection, MHD_HTTP_NOT_FOUND, "没有找到该页面或申请");
    return page_send (
        connection, MHD_HTTP_OK, "text/css; charset=utf-8", css, strlen (css));
}

//  Every POST but the sign-in carries the session's CSRF token.
static bool
s_csrf_ok (const session_t *s, zhash_t *form)
{
    const char *token = (const char *)zhash_lookup (form, "csrf");
    return token && strlen (token) == 64 &&
           sodium_memcmp (token, s->csrf, 64) == 0;
}

enum MHD_Result
pages_route (struct MHD_Connection *connection,
             const char *url,
             bool post,
             zhash_t *form)
{
    if (streq (url, "/static/style.css") && !post)
        return s_static (connection);
    if (streq (url, "/login"))
        return post ? s_login (connection, form)
                    : s_login_page (connection, MHD_HTTP_OK, NULL);
    const char *sid =
        MHD_lookup_connection_value (connection, MHD_COOKIE_KIND, "yjc_sid");
    session_t s;
    if (!sessions_get (sid, &s, pages_session_closed))
        return post ? pages_error (connection,
                                   MHD_HTTP_FORBIDDEN,
                                   "会话已失效，请重新登录")
                    : page_redirect (connection, "/login", NULL);
    enum MHD_Result rc;
    //  A person disabled (or given a new key) since signing in loses the
    //  session at once: the registry no longer holds the key (issue 16).
    //  Cheap: a hash lookup, the directory re-read only when it changed.
    if (!web_key_live (s.actor.public_txt)) {
        sessions_close (s.sid, pages_session_closed, "revoked");
        char *cookie = s_cookie ("", true);
        rc = post ? pages_error (connection,
                                 MHD_HTTP_FORBIDDEN,
                                 "该账号已停用，请联系管理员")
                  : page_redirect (connection, "/login", cookie);
        zstr_free (&cookie);
        return rc;
    }
    if (post && !s_csrf_ok (&s, form))
        rc = pages_error (
            connection, MHD_HTTP_FORBIDDEN, "表单已失效，请刷新页面后重试");
    else if (streq (url, "/password"))
        rc = post ? s_password_change (connection, &s, form)
                  : s_password_page (connection, &s, MHD_HTTP_OK, NULL);
    else if (s.onetime && !(post && streq (url, "/logout")))
        //  an administrator's password opens nothing but its own change
        rc = post ? pages_error (connection,
                                 MHD_HTTP_FORBIDDEN,
                                 "请先修改管理员设置的一次性密码")
                  : page_redirect (connection, "/password", NULL);
    else if (post && streq (url, "/logout")) {
        sessions_close (s.sid, pages_session_closed, "signout");
        char *cookie = s_cookie ("", true);
        rc = page_redirect (connection, "/login", cookie);
        zstr_free (&cookie);
    }
    else if (!post && streq (url, "/"))
        rc = s_home (connection, &s);
    else if (!unit_route (connection, url, post, form, &s, &rc) &&
             !bureau_route (connection, url, post, form, &s, &rc) &&
             !audit_route (connection, url, post, form, &s, &rc) &&
             !vendor_route (connection, url, post, form, &s, &rc))
        rc = page_not_found (connection);
    return rc;
}
