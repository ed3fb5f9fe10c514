/* check.c - the checks of a configuration against what it names: the
 * database, the key files, the permissions file (an edge: it opens them). */
#include "check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "db.h"
#include "keyring.h"
#include "perms.h"
#include "signer.h"

int gw_check_database(const gw_config *cfg, gw_buf *problems)
{
    int n = gw_db_verify(cfg, problems);
    return n > 0 ? n : 0;
}

int gw_check_config(const gw_config *cfg, gw_buf *problems, gw_buf *notes)
{
    int n = gw_db_check(cfg, problems, notes);
    if (*cfg->access.permissions_file) {
        char *kerr = NULL;
        gw_keyring *perms = gw_watched_open(cfg->access.permissions_file, &gw_file_permissions, &kerr);
        n += (int)gw_buf_prefix_lines(problems, "access.permissions_file", kerr);
        /* a rule naming a permission the file lacks lets nobody in */
        const gw_perms *pv = perms ? gw_watched_get(perms, time(NULL), NULL) : NULL;
        for (size_t i = 0; pv && i < cfg->access.nrules; i++)
            for (size_t k = 0; k < cfg->access.rules[i].permissions_any.n; k++)
                if (!gw_perms_names(pv, cfg->access.rules[i].permissions_any.v[k]))
                    gw_buf_printf(notes, "access.rules (prefix %s): permission \"%s\" is not in "
                                  "the permissions file: nobody holds it\n",
                                  cfg->access.rules[i].prefix,
                                  cfg->access.rules[i].permissions_any.v[k]);
        gw_keyring_free(perms);
        free(kerr);
    }
    for (size_t i = 0; i < cfg->identity.jwt.nrealms; i++) {
        const gw_jwt_realm *r = &cfg->identity.jwt.realms[i];
        bool seen = false;
        for (size_t j = 0; j < i; j++)
            seen = seen || strcmp(cfg->identity.jwt.realms[j].jwks_file, r->jwks_file) == 0;
        if (seen)
            continue;
        char *kerr = NULL;
        gw_keyring *keys = gw_keyring_open(r->jwks_file, &kerr);
        n += (int)gw_buf_prefix_lines(problems, r->own ? "identity.jwt.issuers[].jwks_file"
                                                        : "identity.jwt.jwks_file", kerr);
        gw_keyring_free(keys);
        free(kerr);
    }
    if (cfg->assertion.enabled) {
        char *kerr = NULL;
        gw_signer *keys = gw_signer_open(cfg->assertion.key_file, &kerr);
        n += (int)gw_buf_prefix_lines(problems, "assertion.key_file", kerr);
        if (keys) {
            const gw_keyset *k = gw_signer_get(keys, time(NULL), NULL);
            gw_buf_printf(notes, "assertion: %zu key%s published, %s key %s signs\n",
                          gw_keyset_count(k), gw_keyset_count(k) == 1 ? "" : "s",
                          gw_signkey_alg(gw_keyset_signer(k)), gw_signkey_kid(gw_keyset_signer(k)));
        }
        gw_signer_free(keys);
        free(kerr);
    }
    return n;
}

int gw_check_jwks(const char *name, const char *path)
{
    char *kerr = NULL;
    gw_keyring *keys = gw_keyring_open(path, &kerr);
    if (!keys) {
        gw_print_lines(name, kerr);
        free(kerr);
        return 1;
    }
    const gw_jwks *k = gw_keyring_get(keys, time(NULL), NULL);
    printf("OK: %zu signing key%s (%zu skipped)\n", gw_jwks_count(k),
           gw_jwks_count(k) == 1 ? "" : "s", gw_jwks_skipped(k));
    gw_keyring_free(keys);
    return 0;
}
