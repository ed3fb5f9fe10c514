/*
 * json.h - strict parsing of untrusted JSON with cJSON (pure).
 *
 * cJSON keeps strings as C strings, so an escaped NUL ("\u0000") would
 * silently cut a value or a key short ("sub\u0000x" would read as "sub").
 * gw_json_parse_strict() first rewrites every escaped NUL into an escaped
 * U+0001, which keeps "this value holds a control character" true without
 * ever truncating, refuses a \u escape without four hex digits (cJSON
 * would read it as a NUL), refuses raw control bytes, and after parsing
 * refuses repeated keys in any object.
 */
#ifndef GW_JSON_H
#define GW_JSON_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

/* Parses buf[0..len) (modified in place by the NUL rewrite; buf[len] must
 * be writable and is set to '\0'). Requires well-formed UTF-8, no raw
 * control bytes (other than JSON whitespace outside strings), no byte
 * order mark, no
 * trailing data, nesting at most GW_JSON_MAX_DEPTH, and no object with a
 * repeated key or more than GW_JSON_MAX_MEMBERS members. Returns the tree (cJSON_Delete it) or NULL. */
cJSON *gw_json_parse_strict(char *buf, size_t len);
/* The same for text that must stay as it is (parsed from a copy). */
cJSON *gw_json_parse_text(const char *text, size_t len);

#define GW_JSON_MAX_DEPTH 64
#define GW_JSON_MAX_MEMBERS 1000 /* per object */

/* Text form of a JSON scalar for the database: strings as they are,
 * booleans "1"/"0", integral numbers without a fraction, others in %.17g.
 * Returns false for null, arrays and objects. num must hold 64 bytes; the
 * result is returned in *out (pointing into v or num). */
bool gw_json_scalar_text(const cJSON *v, char num[64], const char **out);

/* Claim paths (identity.id_claim, users.fields, users.related,
 * groups.claim): segments separated by '.', each the name of a member of
 * the object before it: "realm_access.roles",
 * "resource_access.my-app.roles". A name that holds a '.' writes it "\\."
 * and a backslash "\\\\" ("https://example\\.org/roles" in C, the JSON
 * text holding "https://example\\\\.org/roles"). */
#define GW_CLAIM_PATH_MAX 255

/* NULL when path is a well-formed claim path (non-empty segments, no
 * other escape, at most GW_CLAIM_PATH_MAX bytes), else why not. */
const char *gw_json_claim_path_problem(const char *path);

/* The value at path in obj, or NULL when a segment is missing or the
 * value before it is not an object (an absent claim). A member whose name
 * is the whole path (no '\\' in it) comes first: namespaced claims such as
 * "https://app.example.org/roles" need no escaping. */
const cJSON *gw_json_claim_get(const cJSON *obj, const char *path);

/* Copies the value at path in src (as gw_json_claim_get finds it) into dst at
 * the same place, so that gw_json_claim_get(dst, path) finds the same value;
 * nothing when it is absent or already there. False when out of memory. */
bool gw_json_claim_copy(cJSON *dst, const cJSON *src, const char *path);

#endif
