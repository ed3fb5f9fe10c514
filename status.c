/* status.c - the one table that turns a gw_status into HTTP terms. */
#include "gwauth.h"

static const struct {
    int http;
    const char *reason;
    const char *code;
} gw_status_table[GW_STATUS_COUNT] = {
    [GW_OK]                = {200, "OK", ""},
    [GW_E_DUPLICATE]       = {400, "Bad Request", "duplicate_identity_header"},
    [GW_E_UNTRUSTED]       = {403, "Forbidden", "untrusted_source"},
    [GW_E_UNTRUSTED_CALLER] = {403, "Forbidden", "untrusted_caller"},
    [GW_E_TOO_LARGE]       = {431, "Request Header Fields Too Large", "userinfo_too_large"},
    [GW_E_MALFORMED]       = {400, "Bad Request", "malformed_userinfo"},
    [GW_E_UNKNOWN_USER]    = {403, "Forbidden", "unknown_user"},
    [GW_E_INACTIVE]        = {403, "Forbidden", "inactive_user"},
    [GW_E_UNAUTHENTICATED] = {401, "Unauthorized", "unauthenticated"},
    [GW_E_INVALID_TOKEN]   = {401, "Unauthorized", "invalid_token"},
    [GW_E_FORBIDDEN]       = {403, "Forbidden", "forbidden"},
    [GW_E_CROSS_SITE]      = {403, "Forbidden", "cross_site_request"},
    [GW_E_BAD_PATH]        = {400, "Bad Request", "bad_path"},
    [GW_E_NOT_FOUND]       = {404, "Not Found", "not_found"},
    [GW_E_METHOD]          = {405, "Method Not Allowed", "method_not_allowed"},
    [GW_E_INVALID_REQUEST] = {400, "Bad Request", "invalid_request"},
    [GW_E_UNAVAILABLE]     = {503, "Service Unavailable", "unavailable"},
    [GW_E_INTERNAL]        = {500, "Internal Server Error", "internal_error"},
};

static gw_status gw_status_clamp(gw_status s)
{
    return (s >= 0 && s < GW_STATUS_COUNT) ? s : GW_E_INTERNAL;
}

int gw_status_http(gw_status s) { return gw_status_table[gw_status_clamp(s)].http; }
const char *gw_status_reason(gw_status s) { return gw_status_table[gw_status_clamp(s)].reason; }
const char *gw_status_code(gw_status s) { return gw_status_table[gw_status_clamp(s)].code; }
