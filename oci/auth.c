/*
 * Registry authentication helpers: the WWW-Authenticate challenge parser
 * (RFC 7235 auth-params, quoted strings with backslash escapes), the Link
 * header parser (RFC 8288, for tag-list pagination) and the token response
 * parser of the distribution token spec, and the client side of auth:
 * credentials, Basic, Bearer token fetch and cache, the answer to a 401.
 * All input here is untrusted header or body text from the registry or
 * its token server.
 *
 * Specs: RFC 7235 §4.1 (WWW-Authenticate) with RFC 9110 §11 syntax,
 * RFC 8288 §3 (Link), the distribution token spec
 * (https://distribution.github.io/distribution/spec/auth/token/) and its
 * OAuth2 variant (.../spec/auth/oauth/), and the OCI distribution spec's
 * note that registries may answer 401 with a Bearer challenge.
 *
 * Bounds on untrusted input: challenge keys 256 bytes, values 8 KiB,
 * Link parameter values 1 KiB (sg_buf caps; overrun is SG_ELIMIT), token
 * responses token_max bytes and JSON depth 8, realm URLs SG_REG_URL_MAX.
 * The form body we build is capped too (TOKEN_FORM_MAX): the identity
 * token in it comes from a config file, so its size is not ours to pick.
 */
#include "oci_int.h"
#include "registry_int.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#define TOKEN_FORM_MAX (1u << 20) /* refresh-token POST body, bytes */
#define AUTHZ_MAX      (1u << 16) /* one "Authorization: Basic" line */

/* RFC 9110 §5.6.2 tchar: the characters of a token (scheme names and
 * parameter names). NUL is excluded explicitly because strchr() would
 * otherwise match the string's own terminator. */
static int is_tchar(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || (c && strchr("!#$%&'*+-.^_`|~", c));
}

static const char *skip_ws(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

/* Read a token or a quoted-string at *pp into out (capped).
 *
 * quoted-string (RFC 9110 §5.6.4): a backslash quotes the next byte,
 * whatever it is, so "a\"b" is a"b. A backslash as the last byte, or a
 * missing closing quote, is an error rather than a silently truncated
 * value: a realm cut short could point somewhere else. The cap on `out`
 * bounds a hostile, endless value. */
static sg_err read_value(struct sg_buf *out, const char **pp)
{
    const char *p = *pp;
    sg_err rc = SG_OK;

    if (*p == '"') {
        p++;
        while (*p && *p != '"') {
            if (*p == '\\') {
                p++;
                if (!*p)
                    break;
            }
            rc = sg_buf_addc(out, *p);
            if (rc)
                return rc;
            p++;
        }
        if (*p != '"')
            return sg_error_set(SG_EPARSE,
                                "WWW-Authenticate: unterminated quoted value");
        p++;
    } else {
        /* token68 style values may also contain '/' and '=' */
        while (*p && (is_tchar(*p) || *p == '/' || *p == '=' || *p == ':')) {
            rc = sg_buf_addc(out, *p);
            if (rc)
                return rc;
            p++;
        }
    }
    *pp = p;
    return SG_OK;
}

sg_err sg_oci__challenge_parse(struct sg_oci__challenge *out,
                               const char *header)
{
    struct sg_buf key = SG_BUF_INIT(256), val = SG_BUF_INIT(8192);
    const char *p = header, *start;
    size_t n;
    sg_err rc = SG_OK;

    memset(out, 0, sizeof(*out));
    /* The auth-scheme is case-insensitive (RFC 7235 §2.1); it is stored
     * in canonical spelling so callers can strcmp(). Only Basic and
     * Bearer are spoken: a registry offering only Digest or Negotiate is
     * refused here rather than answered with the wrong scheme. */
    p = skip_ws(p);
    start = p;
    while (is_tchar(*p))
        p++;
    n = (size_t)(p - start);
    if (n == 6 && strncasecmp(start, "bearer", 6) == 0) {
        out->scheme = strdup("Bearer");
    } else if (n == 5 && strncasecmp(start, "basic", 5) == 0) {
        out->scheme = strdup("Basic");
    } else {
        return sg_error_set(SG_EUNSUPPORTED,
                            "WWW-Authenticate: unsupported scheme '%.*s'",
                            (int)(n > 32 ? 32 : n), start);
    }
    if (!out->scheme)
        return sg_error_oom();
    /* auth-params: `name = value` pairs separated by commas, with empty
     * list elements allowed (RFC 9110 §5.6.1). The header may carry
     * several challenges in one line ("Bearer realm=...,  Basic
     * realm=..."); a token that is not followed by '=' is the next
     * scheme's name, which ends the first challenge. That also means a
     * token68 form ("Bearer abc==") is not supported: registries do not
     * send it. */
    for (;;) {
        p = skip_ws(p);
        while (*p == ',' || *p == ' ' || *p == '\t')
            p++;
        if (!*p)
            break;
        sg_buf_reset(&key);
        sg_buf_reset(&val);
        start = p;
        while (is_tchar(*p))
            p++;
        if (p == start) {
            rc = sg_error_set(SG_EPARSE,
                              "WWW-Authenticate: unexpected character");
            goto done;
        }
        rc = sg_buf_add(&key, start, (size_t)(p - start));
        if (rc)
            goto done;
        p = skip_ws(p);
        if (*p != '=') {
            /* A new challenge (another scheme) starts: we use the first. */
            break;
        }
        p = skip_ws(p + 1);
        rc = read_value(&val, &p);
        if (rc)
            goto done;
        /* Parameter names are case-insensitive; unknown ones (error,
         * error_description, ...) are skipped. A repeated realm, service
         * or scope is an error (RFC 7235 §2.1: each parameter name MUST
         * occur once per challenge) rather than first- or last-wins,
         * because the two readings could send credentials to two
         * different realms. */
        {
            char **slot = NULL;
            if (strcasecmp(key.data, "realm") == 0)
                slot = &out->realm;
            else if (strcasecmp(key.data, "service") == 0)
                slot = &out->service;
            else if (strcasecmp(key.data, "scope") == 0)
                slot = &out->scope;
            if (slot) {
                if (*slot) {
                    rc = sg_error_set(SG_EPARSE,
                                      "WWW-Authenticate: duplicate '%s'",
                                      key.data);
                    goto done;
                }
                *slot = strdup(val.data);
                if (!*slot) {
                    rc = sg_error_oom();
                    goto done;
                }
            }
        }
        p = skip_ws(p);
        if (*p && *p != ',') {
            rc = sg_error_set(SG_EPARSE,
                              "WWW-Authenticate: expected ',' after '%s'",
                              key.data);
            goto done;
        }
    }
    /* Without a realm there is nowhere to ask for a token. Basic's realm
     * is only a label for humans, so it may be absent. */
    if (strcmp(out->scheme, "Bearer") == 0 && (!out->realm || !out->realm[0])) {
        rc = sg_error_set(SG_EPARSE, "WWW-Authenticate: Bearer without realm");
        goto done;
    }
done:
    sg_buf_release(&key);
    sg_buf_release(&val);
    if (rc)
        sg_oci__challenge_release(out);
    return rc;
}

void sg_oci__challenge_release(struct sg_oci__challenge *c)
{
    free(c->scheme);
    free(c->realm);
    free(c->service);
    free(c->scope);
    memset(c, 0, sizeof(*c));
}

/* Link: <url>; rel="next" (RFC 8288 §3), as the distribution spec's tag
 * listing paginates. Only the first link whose rel set contains "next" is
 * returned; its URL is returned as is (usually a path relative to the API
 * host) and the caller resolves it and checks where it may go. Parameters
 * without '=' are skipped; a '<' inside the URL is not special, so the
 * URL runs to the first '>'. */
sg_err sg_oci__link_next(char **next_out, const char *header)
{
    const char *p = header;

    *next_out = NULL;
    for (;;) {
        const char *url, *url_end;
        int is_next = 0;

        p = skip_ws(p);
        while (*p == ',' || *p == ' ' || *p == '\t')
            p++;
        if (!*p)
            return SG_OK;
        if (*p != '<')
            return sg_error_set(SG_EPARSE, "Link: expected '<'");
        url = ++p;
        while (*p && *p != '>')
            p++;
        if (*p != '>')
            return sg_error_set(SG_EPARSE, "Link: unterminated '<'");
        url_end = p++;
        /* params: ; key=value ... until ',' */
        for (;;) {
            const char *k;
            size_t kn;
            struct sg_buf v = SG_BUF_INIT(1024);
            sg_err rc;

            p = skip_ws(p);
            if (*p != ';')
                break;
            p = skip_ws(p + 1);
            k = p;
            while (is_tchar(*p))
                p++;
            kn = (size_t)(p - k);
            if (!kn)
                return sg_error_set(SG_EPARSE, "Link: bad parameter");
            p = skip_ws(p);
            if (*p != '=')
                continue;
            p = skip_ws(p + 1);
            rc = read_value(&v, &p);
            if (rc) {
                sg_buf_release(&v);
                return sg_error_set(SG_EPARSE, "Link: bad parameter value");
            }
            if (kn == 3 && strncasecmp(k, "rel", 3) == 0) {
                /* rel may hold several space-separated relation types */
                const char *q = v.data;
                while (*q) {
                    size_t m = strcspn(q, " ");
                    if (m == 4 && strncasecmp(q, "next", 4) == 0)
                        is_next = 1;
                    q += m;
                    while (*q == ' ')
                        q++;
                }
            }
            sg_buf_release(&v);
        }
        if (*p && *p != ',')
            return sg_error_set(SG_EPARSE, "Link: expected ','");
        if (is_next) {
            if (url_end == url)
                return sg_error_set(SG_EPARSE, "Link: empty URL");
            *next_out = strndup(url, (size_t)(url_end - url));
            return *next_out ? SG_OK : sg_error_oom();
        }
    }
}

/* The token server's JSON answer. The distribution token spec names the
 * field "token"; OAuth2 servers (and the refresh-token POST) answer with
 * "access_token"; some send both with the same value, so "token" wins.
 * expires_in and issued_at are ignored: a cached token is used until the
 * registry answers 401, which is cheaper than trusting the server's clock
 * against ours. A refresh_token in the answer is also ignored: we never
 * write credentials back to the user's docker config. */
sg_err
sg_oci__token_parse(char **token_out, const void *data, size_t len, size_t max)
{
    struct json_t *root = NULL;
    const json_t *t;
    sg_err rc;

    *token_out = NULL;
    rc = sg_json_parse(&root, data, len, max, 8, "token response");
    if (rc)
        return rc;
    if (!json_is_object(root)) {
        rc = sg_error_set(SG_EPARSE, "token response: not a JSON object");
        goto done;
    }
    t = json_object_get(root, "token");
    if (!json_is_string(t) || !json_string_length(t))
        t = json_object_get(root, "access_token");
    if (!json_is_string(t) || !json_string_length(t)) {
        rc = sg_error_set(SG_EPARSE,
                          "token response: no 'token' or 'access_token'");
        goto done;
    }
    /* The token goes into a header: refuse control characters. A CR or
     * LF would let the token server inject further header lines into
     * our requests to the registry (header splitting). */
    for (const char *q = json_string_value(t); *q; q++) {
        if ((unsigned char)*q < 0x20 || *q == 0x7f) {
            rc = sg_error_set(SG_EPARSE,
                              "token response: control character in token");
            goto done;
        }
    }
    *token_out = strdup(json_string_value(t));
    if (!*token_out)
        rc = sg_error_oom();
done:
    json_decref(root);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Credentials and tokens of one registry client                       *
 *                                                                      *
 * Docker's rules, which registries expect: the /v2/ ping (regcall.c)   *
 * learns the scheme. Basic sends the credentials on every request to   *
 * the API host. Bearer asks the realm for a token per scope            *
 * ("repository:R:pull,push"), with Basic credentials on the token      *
 * request, or an OAuth2 refresh-token POST when docker login left an   *
 * identity token; tokens are cached per scope string. A 401 on a       *
 * request re-reads the challenge (its scope may name more than we      *
 * asked, e.g. a mount's source repository). Traps: a token refused for *
 * exactly the scope it was issued for is final (no loop); a token      *
 * realm over plain http would carry the password, so it is refused     *
 * unless the host is loopback or marked insecure.                      */

/* Credentials are asked for lazily, at most once per client, and only
 * from the caller's callback (flags, the docker config, a helper): the
 * library never reads the environment itself. After a failure (reported
 * to this caller) later calls carry on without credentials. */
sg_err sg_reg_load_creds(struct sg_reg *r)
{
    sg_err rc;

    if (r->creds_loaded || !r->get_credentials)
        return SG_OK;
    r->creds_loaded = 1;
    rc = r->get_credentials(&r->creds, r->cred_host, r->cred_payload);
    if (rc)
        sg_oci_credentials_release(&r->creds);
    return rc;
}

/* docker login stores an OAuth2 refresh token ("identitytoken") under the
 * username "<token>" (dockercfg.c). That value must never be sent as a
 * Basic password; it is only good for the refresh-token grant below. */
static int have_user_creds(const struct sg_reg *r)
{
    return r->creds.username && strcmp(r->creds.username, "<token>") != 0;
}

static int have_identity_token(const struct sg_reg *r)
{
    return r->creds.username && strcmp(r->creds.username, "<token>") == 0 &&
           r->creds.password;
}

/* RFC 7617: base64("user:password"). The cleartext pair is wiped from
 * the temporary buffer; the encoded header is the caller's to wipe. A
 * ':' in the username cannot be represented and is not checked for: the
 * server would split at the first one. */
static sg_err basic_header(struct sg_buf *h, const struct sg_reg *r)
{
    struct sg_buf up = SG_BUF_INIT(SG_BUF_NOLIMIT);
    sg_err rc;

    rc = sg_buf_addf(&up, "%s:%s", r->creds.username,
                     r->creds.password ? r->creds.password : "");
    if (!rc)
        rc = sg_buf_adds(h, "Authorization: Basic ");
    if (!rc)
        rc = sg_base64_encode(h, up.data, up.len);
    sg_wipe(up.data, up.len);
    sg_buf_release(&up);
    return rc;
}

/* The token cache: an unsorted array keyed by the exact scope string
 * the request asked for ("" for none). A client talks to one registry
 * and a handful of repositories, so a linear scan is enough. Keying by
 * the string (not by parsed resource and actions) is deliberate: a token
 * for "pull,push" is never reused for a bare "pull" request, which costs
 * a token fetch but never presents a token for a scope it was not
 * issued for. */
static const char *cached_token(const struct sg_reg *r, const char *scope)
{
    for (size_t i = 0; i < r->n_tokens; i++)
        if (strcmp(r->tokens[i].scope, scope ? scope : "") == 0)
            return r->tokens[i].token;
    return NULL;
}

static sg_err cache_token(struct sg_reg *r, const char *scope, char *token)
{
    struct sg_reg_token *t;

    for (size_t i = 0; i < r->n_tokens; i++) {
        if (strcmp(r->tokens[i].scope, scope ? scope : "") == 0) {
            sg_wipe(r->tokens[i].token, strlen(r->tokens[i].token));
            free(r->tokens[i].token);
            r->tokens[i].token = token;
            return SG_OK;
        }
    }
    t = realloc(r->tokens, (r->n_tokens + 1) * sizeof(*t));
    if (!t)
        goto oom;
    r->tokens = t;
    t[r->n_tokens].scope = strdup(scope ? scope : "");
    if (!t[r->n_tokens].scope)
        goto oom;
    t[r->n_tokens].token = token;
    r->n_tokens++;
    return SG_OK;
oom:
    sg_wipe(token, strlen(token));
    free(token);
    return sg_error_oom();
}

/* Add "<sep>scope=X" for each space-separated scope in `scopes`: the
 * first separator is sep0 ('?' or '&'), the rest are '&'. The token spec
 * repeats the scope parameter rather than joining the scopes with
 * spaces; each one is percent-escaped because it holds ':' and ','. */
static sg_err add_scopes(struct sg_buf *q, const char *scopes, char sep0)
{
    const char *p = scopes;
    sg_err rc = SG_OK;
    char sep = sep0;

    while (p && *p && !rc) {
        size_t n = strcspn(p, " ");
        char *one = strndup(p, n);
        if (!one)
            return sg_error_oom();
        if (n) {
            rc = sg_buf_addf(q, "%cscope=", sep);
            if (!rc)
                rc = sg_http_escape(q, one);
            sep = '&';
        }
        free(one);
        p += n;
        while (*p == ' ')
            p++;
    }
    return rc;
}

/* A realm over plain http is only acceptable on loopback or for a host
 * the user marked insecure (credentials may travel in it).
 *
 * The realm is chosen by the registry, so it may name any host: the
 * Basic credentials for the registry are sent there by design (that is
 * how Docker Hub's auth.docker.io works). What we do bound is the
 * transport. TLS verification is only relaxed when the realm is the very
 * host the user marked insecure, never for a third host. */
static sg_err check_realm(const struct sg_reg *r, int *verify)
{
    char *scheme = NULL, *host = NULL;
    sg_err rc = sg_http_url_parts(&scheme, &host, r->realm);

    *verify = 1;
    if (rc)
        return sg_error_set(SG_EPARSE, "%s: invalid token realm '%.200s'",
                            r->host, r->realm);
    if (strcasecmp(scheme, "https") != 0) {
        if (strcasecmp(scheme, "http") != 0 ||
            !(sg_reg_host_is_loopback(host) || r->insecure))
            rc = sg_error_set(SG_EAUTH,
                              "%s: refusing token realm '%.200s' (not https)",
                              r->host, r->realm);
    }
    if (r->insecure && strcmp(host, r->host) == 0)
        *verify = 0;
    free(scheme);
    free(host);
    return rc;
}

/* Ask the token server for `scopes` (distribution token spec; OAuth2
 * refresh-token POST when we hold an identity token).
 *
 * Two request shapes:
 *  - GET realm?service=S&scope=A&scope=B, with Basic credentials if we
 *    have them, anonymous otherwise (public images get a pull token).
 *  - POST realm, form grant_type=refresh_token&client_id&service&scope
 *    &refresh_token (token spec "oauth"), when only an identity token is
 *    at hand; the token travels in the body, never in the URL, so it
 *    does not end up in access logs.
 * The realm may already carry a query string, hence the '?'/'&' choice.
 * Every buffer that held a secret (form, Authorization, response body
 * with the token) is wiped before it is released. A 401/403 from the
 * token server is final: it means the credentials themselves are bad. */
static sg_err fetch_token(struct sg_reg *r, const char *scopes, char **out)
{
    struct sg_buf url = SG_BUF_INIT(SG_REG_URL_MAX),
                  form = SG_BUF_INIT(TOKEN_FORM_MAX);
    struct sg_buf authz = SG_BUF_INIT(AUTHZ_MAX);
    struct sg_buf body = SG_BUF_INIT(sg_ctx_limits(r->ctx)->token_max);
    struct sg_http_resp resp;
    struct sg_http_req req;
    const char *hdrs[3] = { NULL, NULL, NULL };
    int verify = 1;
    sg_err rc;

    *out = NULL;
    memset(&resp, 0, sizeof(resp));
    rc = check_realm(r, &verify);
    if (rc)
        return rc;
    sg_reg_req_init(&req, r, verify);
    req.out = &body;
    req.what = "token response";
    rc = sg_buf_adds(&url, r->realm);
    if (rc)
        goto done;
    if (have_identity_token(r)) {
        rc = sg_buf_adds(&form, "grant_type=refresh_token&client_id=sigil");
        if (!rc && r->service) {
            rc = sg_buf_adds(&form, "&service=");
            if (!rc)
                rc = sg_http_escape(&form, r->service);
        }
        if (!rc)
            rc = add_scopes(&form, scopes, '&');
        if (!rc)
            rc = sg_buf_adds(&form, "&refresh_token=");
        if (!rc)
            rc = sg_http_escape(&form, r->creds.password);
        if (rc)
            goto done;
        req.method = "POST";
        req.body = form.data;
        req.body_len = form.len;
        req.has_body = 1;
        hdrs[0] = "Content-Type: application/x-www-form-urlencoded";
    } else {
        char sep = strchr(r->realm, '?') ? '&' : '?';
        if (r->service) {
            rc = sg_buf_addf(&url, "%cservice=", sep);
            if (!rc)
                rc = sg_http_escape(&url, r->service);
            sep = '&';
        }
        if (!rc)
            rc = add_scopes(&url, scopes, sep);
        if (rc)
            goto done;
        req.method = "GET";
        if (have_user_creds(r)) {
            rc = basic_header(&authz, r);
            if (rc)
                goto done;
            hdrs[0] = authz.data;
        }
    }
    req.url = url.data;
    req.headers = hdrs;
    rc = sg_reg_perform(r, &req, &resp, "fetching a token from");
    if (rc == SG_ELIMIT) {
        rc = sg_error_set(SG_ELIMIT,
                          "%s: token response larger than %zu "
                          "bytes",
                          r->host, body.max);
        goto done;
    }
    if (rc)
        goto done;
    if (resp.status == 401 || resp.status == 403) {
        char msg[256];
        sg_reg_message(msg, sizeof(msg), &resp);
        rc = sg_error_set(SG_EAUTH,
                          "authentication failed for %s: token server "
                          "answered HTTP %ld%s%s",
                          r->host, resp.status, msg[0] ? ": " : "", msg);
        goto done;
    }
    if (resp.status != 200) {
        rc = sg_error_set(SG_EHTTP, "%s: token server answered HTTP %ld",
                          r->host, resp.status);
        goto done;
    }
    rc = sg_oci__token_parse(out, body.data, body.len, body.max);
    if (rc)
        sg_error_prefix(rc, "%s", r->host);
done:
    sg_wipe(form.data, form.len);
    sg_wipe(authz.data, authz.len);
    sg_wipe(body.data, body.len);
    sg_buf_release(&form);
    sg_buf_release(&authz);
    sg_buf_release(&body);
    sg_buf_release(&url);
    sg_http_resp_release(&resp);
    return rc;
}

/* Build the Authorization header line for a request to the API host.
 *
 * Precedence: a registry token from the docker config (sent as is, no
 * exchange), then Basic when the ping said Basic, then a Bearer token for
 * this scope from the cache or the realm. With no scheme learnt yet the
 * request goes out anonymous and a 401 teaches us. The caller sends this
 * header only to the API host: regcall.c drops it on a redirect to
 * another host (blob storage, a CDN), whose URL is pre-signed, and which
 * must not learn a token or password meant for the registry. */
sg_err sg_reg_auth_header(struct sg_reg *r, const char *scope, struct sg_buf *h)
{
    const char *tok;
    char *fresh = NULL;
    sg_err rc;

    sg_buf_reset(h);
    if (r->creds.registry_token)
        return sg_buf_addf(h, "Authorization: Bearer %s",
                           r->creds.registry_token);
    if (r->auth == SG_REG_AUTH_BASIC && r->creds.username)
        return basic_header(h, r);
    if (r->auth != SG_REG_AUTH_BEARER)
        return SG_OK;
    tok = cached_token(r, scope);
    if (!tok) {
        rc = fetch_token(r, scope, &fresh);
        if (rc)
            return rc;
        rc = cache_token(r, scope, fresh);
        if (rc)
            return rc;
        tok = cached_token(r, scope);
    }
    return sg_buf_addf(h, "Authorization: Bearer %s", tok);
}

/* A 401: learn the challenge, get what it asks for. Returns SG_OK when
 * the request should be tried again.
 *
 * The loop guard is the caller's (regcall.c counts auth rounds); this
 * function makes sure a round that cannot succeed says so instead:
 *  - Basic refused after we sent Basic: the password is wrong.
 *  - Bearer refused and the challenge names no scope: nothing new to
 *    ask for.
 *  - A registry token from the config refused: there is no exchange
 *    that could yield a better one.
 *  - A token that we sent for a scope that already contains the
 *    challenge's scope refused: access is denied, not expired. (A plain
 *    substring test: good enough for "repository:R:pull" inside
 *    "repository:R:pull,push", and a miss only costs one more fetch.)
 * Otherwise the realm and service are replaced by the challenge's (a
 * registry may move its token server) and a token is fetched for our
 * scope plus the challenge's, e.g. a cross-repository mount's source. */
sg_err sg_reg_on_unauthorized(struct sg_reg *r,
                              const struct sg_http_resp *resp,
                              const char *scope,
                              int had_auth)
{
    struct sg_oci__challenge ch;
    char msg[256];
    char *tok = NULL;
    sg_err rc;

    sg_reg_message(msg, sizeof(msg), resp);
    if (!resp->www_auth)
        return sg_error_set(SG_EAUTH,
                            "authentication failed for %s: HTTP "
                            "401 without a challenge%s%s",
                            r->host, msg[0] ? ": " : "", msg);
    rc = sg_oci__challenge_parse(&ch, resp->www_auth);
    if (rc)
        return sg_error_prefix(rc, "%s", r->host);
    if (strcmp(ch.scheme, "Basic") == 0) {
        sg_oci__challenge_release(&ch);
        if (had_auth && r->auth == SG_REG_AUTH_BASIC)
            return sg_error_set(SG_EAUTH,
                                "authentication failed for %s: credentials "
                                "refused%s%s",
                                r->host, msg[0] ? ": " : "", msg);
        r->auth = SG_REG_AUTH_BASIC;
        if (!r->creds.username)
            return sg_error_set(SG_EAUTH,
                                "authentication required by %s: no "
                                "credentials (use --username and "
                                "--password-stdin, or docker login)",
                                r->host);
        return SG_OK;
    }
    /* Bearer */
    if (had_auth && r->auth == SG_REG_AUTH_BEARER && !ch.scope) {
        sg_oci__challenge_release(&ch);
        return sg_error_set(SG_EAUTH,
                            "authentication failed for %s: token refused%s%s",
                            r->host, msg[0] ? ": " : "", msg);
    }
    free(r->realm);
    free(r->service);
    r->realm = ch.realm;
    r->service = ch.service;
    ch.realm = ch.service = NULL;
    r->auth = SG_REG_AUTH_BEARER;
    if (r->creds.registry_token) {
        sg_oci__challenge_release(&ch);
        return sg_error_set(SG_EAUTH,
                            "authentication failed for %s: registry token "
                            "refused",
                            r->host);
    }
    {
        /* Ask for our scope and whatever the challenge names. */
        struct sg_buf want = SG_BUF_INIT(SG_REG_URL_MAX);
        rc = sg_buf_adds(&want, scope ? scope : "");
        if (!rc && ch.scope && (!scope || !strstr(scope, ch.scope)))
            rc = sg_buf_addf(&want, "%s%s", want.len ? " " : "", ch.scope);
        if (!rc && had_auth && cached_token(r, scope) && ch.scope && scope &&
            strstr(scope, ch.scope)) {
            /* We sent a token for exactly this scope and it was refused. */
            rc = sg_error_set(SG_EAUTH,
                              "authentication failed for %s: access to %s "
                              "denied%s%s",
                              r->host, ch.scope, msg[0] ? ": " : "", msg);
        }
        if (!rc)
            rc = fetch_token(r, want.data, &tok);
        sg_buf_release(&want);
    }
    sg_oci__challenge_release(&ch);
    if (rc)
        return rc;
    return cache_token(r, scope, tok);
}

/* Learn the auth scheme from the /v2/ ping: a 401 names Basic or the
 * Bearer realm to ask for tokens. An odd challenge is not fatal here: a
 * real request will be challenged again and tell. A 200 leaves the
 * scheme unknown (anonymous registry); the scope in a ping challenge is
 * ignored, since the ping is not for any repository. */
void sg_reg_learn_auth(struct sg_reg *r, const struct sg_http_resp *resp)
{
    struct sg_oci__challenge ch;

    if (resp->status != 401 || !resp->www_auth)
        return;
    if (sg_oci__challenge_parse(&ch, resp->www_auth)) {
        sg_error_clear();
        return;
    }
    if (strcmp(ch.scheme, "Basic") == 0) {
        r->auth = SG_REG_AUTH_BASIC;
    } else {
        r->auth = SG_REG_AUTH_BEARER;
        free(r->realm);
        free(r->service);
        r->realm = ch.realm;
        r->service = ch.service;
        ch.realm = ch.service = NULL;
    }
    sg_oci__challenge_release(&ch);
}

void sg_reg_tokens_free(struct sg_reg *r)
{
    for (size_t i = 0; i < r->n_tokens; i++) {
        free(r->tokens[i].scope);
        sg_wipe(r->tokens[i].token, strlen(r->tokens[i].token));
        free(r->tokens[i].token);
    }
    free(r->tokens);
    r->tokens = NULL;
    r->n_tokens = 0;
}
