/* jwtmint - what a gateway does with its keys, for the integration tests
 * and the benchmark:
 *   jwtmint jwks KID=KEY.pem ...          the public JWKS of the keys
 *                                         ("=KEY.pem": no kid)
 *   jwtmint sign KEY.pem ALG HEADER PAYLOAD   a compact JWS
 *   jwtmint verify JWKS ISSUER AUDIENCE NOW LEEWAY
 *                                         gwauth's verdict on each token
 *                                         of standard input, one line each:
 *                                         "ok" or "refused: <why>"
 * Keys are PEM private keys, e.g. from openssl genpkey. */
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jwt.h"
#include "mint.h"
#include "util.h"

static EVP_PKEY *load(const char *path)
{
    FILE *f = fopen(path, "r");
    EVP_PKEY *k = f ? PEM_read_PrivateKey(f, NULL, NULL, NULL) : NULL;
    if (f)
        fclose(f);
    if (!k) {
        fprintf(stderr, "jwtmint: cannot read a private key from %s\n", path);
        exit(1);
    }
    return k;
}

/* The verdict of gw_jwt_verify, as the authorizer calls it (without the
 * subject, which is the identity's), on each line of standard input. */
static int verify(const char *jwks, const char *iss, const char *aud, long now, long leeway)
{
    static char doc[1 << 20];
    FILE *f = fopen(jwks, "r");
    size_t len = f ? fread(doc, 1, sizeof(doc) - 1, f) : 0;
    if (f)
        fclose(f);
    char *why = NULL;
    gw_jwks *keys = len ? gw_jwks_parse(doc, len, &why) : NULL;
    if (!keys) {
        fprintf(stderr, "jwtmint: %s: %s", jwks, why ? why : "cannot read\n");
        free(why);
        return 1;
    }
    char *iv[] = {(char *)iss}, *av[] = {(char *)aud};
    gw_strlist issuers = {iv, 1}, audiences = {av, 1};
    gw_jwt_policy pol = {&issuers, &audiences, leeway, NULL, NULL, NULL};
    static char line[65536];
    while (fgets(line, sizeof(line), stdin)) {
        line[strcspn(line, "\n")] = '\0';
        const char *reason = NULL;
        if (gw_jwt_verify(keys, line, &pol, (time_t)now, NULL, NULL, &reason) == GW_OK)
            printf("ok\n");
        else
            printf("refused: %s\n", reason ? reason : "-");
    }
    gw_jwks_free(keys);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 3 && strcmp(argv[1], "jwks") == 0) {
        printf("{\"keys\":[");
        for (int i = 2; i < argc; i++) {
            char *eq = strchr(argv[i], '=');
            if (!eq) {
                fprintf(stderr, "jwtmint: expected KID=KEY.pem, got %s\n", argv[i]);
                return 2;
            }
            *eq = '\0';
            EVP_PKEY *k = load(eq + 1);
            char *j = mint_jwk(k, *argv[i] ? argv[i] : NULL);
            printf("%s%s", i > 2 ? "," : "", j);
            free(j);
            EVP_PKEY_free(k);
        }
        printf("]}\n");
        return 0;
    }
    if (argc == 6 && strcmp(argv[1], "sign") == 0) {
        EVP_PKEY *k = load(argv[2]);
        char *t = mint_sign(k, argv[3], argv[4], argv[5]);
        printf("%s\n", t);
        free(t);
        EVP_PKEY_free(k);
        return 0;
    }
    if (argc == 7 && strcmp(argv[1], "verify") == 0)
        return verify(argv[2], argv[3], argv[4], atol(argv[5]), atol(argv[6]));
    fprintf(stderr, "usage: jwtmint jwks KID=KEY.pem ...\n"
                    "       jwtmint sign KEY.pem ALG HEADER_JSON PAYLOAD_JSON\n"
                    "       jwtmint verify JWKS ISSUER AUDIENCE NOW LEEWAY < tokens\n");
    return 2;
}
