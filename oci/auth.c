/*
 * Registry authentication helpers: the WWW-Authenticate challenge parser
 * (RFC 7235 auth-params, quoted strings with backslash escapes), the Link
 * header parser (RFC 8288, for tag-list pagination) and the token response
 * parser of the distribution token spec, and the client side of auth:
 * credentials, Basic, Bearer token fetch and cache, the answer to a 401.
 * All input here is untrusted header or body text from the registry or
 * its token server.
 */
#include "oci_int.h"
#include "registry_int.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#define TOKEN_FORM_MAX (1u << 20)
#define AUTHZ_MAX      (1u << 16)

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

/* Read a token or a quoted-string at *pp into out (capped). */
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
    /* The token goes into a header: refuse control characters. */
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

static int have_user_creds(const struct sg_reg *r)
{
    return r->creds.username && strcmp(r->creds.username, "<token>") != 0;
}

static int have_identity_token(const struct sg_reg *r)
{
    return r->creds.username && strcmp(r->creds.username, "<token>") == 0 &&
           r->creds.password;
}

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

/* Add "&scope=X" for each space-separated scope in `scopes`. */
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
 * the user marked insecure (credentials may travel in it). */
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
 * refresh-token POST when we hold an identity token). */
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

/* Build the Authorization header line for a request to the API host. */
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
 * the request should be tried again. */
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
 * real request will be challenged again and tell. */
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
