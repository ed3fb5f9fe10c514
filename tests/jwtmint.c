/* jwtmint - what a gateway does with its keys, for the integration tests
 * and the benchmark:
 *   jwtmint jwks KID=KEY.pem ...          the public JWKS of the keys
 *                                         ("=KEY.pem": no kid)
 *   jwtmint sign KEY.pem ALG HEADER PAYLOAD   a compact JWS
 * Keys are PEM private keys, e.g. from openssl genpkey. */
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mint.h"

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
    fprintf(stderr, "usage: jwtmint jwks KID=KEY.pem ...\n"
                    "       jwtmint sign KEY.pem ALG HEADER_JSON PAYLOAD_JSON\n");
    return 2;
}
