/*
 * docker config.json credentials (the file `docker login` writes) and the
 * answer of a docker-credential-<name> helper. The bytes are untrusted:
 * parsed under limits, never printed. Lookup order follows the docker CLI:
 * credHelpers[host], then an `auths` entry with a credential, then
 * credsStore.
 */
#include "oci_int.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#define DOCKERCFG_MAX (16u * 1024u * 1024u)

static int is_docker_hub(const char *h)
{
    return strcmp(h, "docker.io") == 0 || strcmp(h, "index.docker.io") == 0 ||
           strcmp(h, "registry-1.docker.io") == 0;
}

/* Does an `auths` key ("host", "https://host/v1/", "http://host") name
 * `host`? */
static int key_matches(const char *key, const char *host)
{
    const char *k = key;
    size_t n;

    if (strncasecmp(k, "https://", 8) == 0)
        k += 8;
    else if (strncasecmp(k, "http://", 7) == 0)
        k += 7;
    n = strcspn(k, "/");
    if (n == strlen(host) && strncasecmp(k, host, n) == 0)
        return 1;
    if (is_docker_hub(host)) {
        char tmp[64];
        if (n >= sizeof(tmp))
            return 0;
        memcpy(tmp, k, n);
        tmp[n] = '\0';
        return is_docker_hub(tmp);
    }
    return 0;
}

static sg_err set_str(char **slot, const char *v)
{
    free(*slot);
    *slot = strdup(v);
    return *slot ? SG_OK : sg_error_oom();
}

/* Fill from one auths entry; leaves out untouched when it holds nothing. */
static sg_err from_auth_entry(struct sg_oci_credentials *out,
                              const json_t *e,
                              const char *key)
{
    const json_t *auth = json_object_get(e, "auth");
    const json_t *user = json_object_get(e, "username");
    const json_t *pass = json_object_get(e, "password");
    const json_t *idt = json_object_get(e, "identitytoken");
    const json_t *rt = json_object_get(e, "registrytoken");
    struct sg_buf dec = SG_BUF_INIT(64 * 1024);
    sg_err rc = SG_OK;

    if (!json_is_object(e))
        return sg_error_set(SG_EPARSE, "auths[\"%s\"]: not an object", key);
    if (json_is_string(auth) && json_string_length(auth)) {
        char *colon;
        rc = sg_base64_decode(&dec, json_string_value(auth),
                              json_string_length(auth));
        if (rc) {
            rc = sg_error_set(SG_EPARSE, "auths[\"%s\"].auth: invalid base64",
                              key);
            goto done;
        }
        colon = memchr(dec.data, ':', dec.len);
        if (!colon || strlen(dec.data) != dec.len) {
            rc = sg_error_set(SG_EPARSE,
                              "auths[\"%s\"].auth: not user:password", key);
            goto done;
        }
        *colon = '\0';
        rc = set_str(&out->username, dec.data);
        if (!rc)
            rc = set_str(&out->password, colon + 1);
    } else if (json_is_string(user) && json_string_length(user)) {
        rc = set_str(&out->username, json_string_value(user));
        if (!rc)
            rc = set_str(&out->password,
                         json_is_string(pass) ? json_string_value(pass) : "");
    }
    if (!rc && json_is_string(idt) && json_string_length(idt)) {
        /* An identity token replaces the password (docker login's OAuth
         * flow): username "<token>" marks it. */
        rc = set_str(&out->username, "<token>");
        if (!rc)
            rc = set_str(&out->password, json_string_value(idt));
    }
    if (!rc && json_is_string(rt) && json_string_length(rt))
        rc = set_str(&out->registry_token, json_string_value(rt));
done:
    sg_wipe(dec.data, dec.len);
    sg_buf_release(&dec);
    return rc;
}

static sg_err helper_name(char **out, const json_t *v, const char *what)
{
    const char *s;

    if (!json_is_string(v))
        return sg_error_set(SG_EPARSE, "%s: not a string", what);
    s = json_string_value(v);
    if (!s[0])
        return SG_OK;
    /* It becomes part of a program name: keep it to a safe alphabet. */
    for (const char *p = s; *p; p++) {
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
              (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || *p == '.'))
            return sg_error_set(SG_EPARSE, "%s: invalid helper name", what);
    }
    if (strlen(s) > 128)
        return sg_error_set(SG_EPARSE, "%s: helper name too long", what);
    *out = strdup(s);
    return *out ? SG_OK : sg_error_oom();
}

/* config.json's member `name`: *out NULL when absent; SG_EPARSE when it is
 * there but not an object. */
static sg_err optional_object(json_t **out, json_t *root, const char *name)
{
    *out = json_object_get(root, name);
    if (*out && !json_is_object(*out))
        return sg_error_set(SG_EPARSE, "config.json: %s: not an object", name);
    return SG_OK;
}

sg_err sg_oci_docker_config_lookup(struct sg_oci_credentials *out,
                                   char **helper_out,
                                   const void *data,
                                   size_t len,
                                   const char *host)
{
    json_t *root = NULL;
    json_t *helpers, *auths;
    const json_t *store;
    sg_err rc;

    memset(out, 0, sizeof(*out));
    *helper_out = NULL;
    rc = sg_json_parse(&root, data, len, DOCKERCFG_MAX, 16, "config.json");
    if (rc)
        return rc;
    if (!json_is_object(root)) {
        rc = sg_error_set(SG_EPARSE, "config.json: not a JSON object");
        goto done;
    }
    rc = optional_object(&helpers, root, "credHelpers");
    if (rc)
        goto done;
    if (helpers) {
        const char *k;
        json_t *v;
        json_object_foreach(helpers, k, v)
        {
            if (key_matches(k, host)) {
                rc = helper_name(helper_out, v, "config.json: credHelpers");
                if (rc || *helper_out)
                    goto done;
            }
        }
    }
    rc = optional_object(&auths, root, "auths");
    if (rc)
        goto done;
    if (auths) {
        const char *k;
        json_t *v;
        /* An exact key wins over a URL form of the same host. */
        const json_t *exact = json_object_get(auths, host);
        if (exact) {
            rc = from_auth_entry(out, exact, host);
        } else {
            json_object_foreach(auths, k, v)
            {
                if (key_matches(k, host)) {
                    rc = from_auth_entry(out, v, k);
                    if (rc || out->username || out->registry_token)
                        break;
                }
            }
        }
        if (rc)
            goto done;
    }
    if (out->username || out->registry_token)
        goto done;
    store = json_object_get(root, "credsStore");
    if (store)
        rc = helper_name(helper_out, store, "config.json: credsStore");
done:
    json_decref(root);
    if (rc) {
        sg_oci_credentials_release(out);
        free(*helper_out);
        *helper_out = NULL;
    }
    return rc;
}

sg_err sg_oci_cred_helper_parse(struct sg_oci_credentials *out,
                                const void *data,
                                size_t len)
{
    json_t *root = NULL;
    const json_t *user, *secret;
    sg_err rc;

    memset(out, 0, sizeof(*out));
    rc = sg_json_parse(&root, data, len, 1u << 20, 8,
                       "credential helper answer");
    if (rc)
        return rc;
    user = json_object_get(root, "Username");
    secret = json_object_get(root, "Secret");
    if (!json_is_object(root) || !json_is_string(user) ||
        !json_is_string(secret)) {
        rc = sg_error_set(SG_EPARSE, "credential helper answer: expected "
                                     "{\"Username\": ..., \"Secret\": ...}");
        goto done;
    }
    /* Username "<token>" means Secret is an identity token; kept as is,
     * the registry client uses the OAuth2 refresh-token flow for it. */
    rc = set_str(&out->username, json_string_value(user));
    if (!rc)
        rc = set_str(&out->password, json_string_value(secret));
done:
    json_decref(root);
    if (rc)
        sg_oci_credentials_release(out);
    return rc;
}

void sg_oci_credentials_release(struct sg_oci_credentials *c)
{
    if (!c)
        return;
    if (c->password) {
        sg_wipe(c->password, strlen(c->password));
        free(c->password);
    }
    if (c->registry_token) {
        sg_wipe(c->registry_token, strlen(c->registry_token));
        free(c->registry_token);
    }
    free(c->username);
    memset(c, 0, sizeof(*c));
}
