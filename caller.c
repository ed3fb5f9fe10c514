/* caller.c - the FastCGI caller's proofs: shared secret, peer uid (pure). */
#include "caller.h"

#include <string.h>

bool gw_caller_secret_ok(const gw_config *cfg, const char *value, size_t count)
{
    if (!cfg->fastcgi.has_secret)
        return true;
    unsigned char h[GW_SHA256_LEN];
    if (!value || count != 1 || !gw_sha256(value, strlen(value), h))
        return false;
    return gw_equal_ct(h, cfg->fastcgi.secret_hash, sizeof(h));
}

bool gw_caller_peer_ok(const gw_config *cfg, bool is_unix, bool have_uid, long uid)
{
    if (cfg->fastcgi.npeer_uids == 0)
        return true;
    if (!is_unix || !have_uid)
        return false;
    for (size_t i = 0; i < cfg->fastcgi.npeer_uids; i++)
        if (cfg->fastcgi.peer_uids[i] == uid)
            return true;
    return false;
}

bool gw_caller_unprotected(const gw_config *cfg)
{
    return !*cfg->fastcgi.secret_file && cfg->fastcgi.npeer_uids == 0 && cfg->fastcgi.peer_names.n == 0;
}
