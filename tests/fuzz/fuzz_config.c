/* Fuzz target: the configuration parser. Whatever it accepts prints as
 * JSON that parses again to the same configuration. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *err = NULL;
    gw_config *c = gw_config_parse((const char *)data, size, &err);
    FUZZ_CHECK((c == NULL) != (err == NULL));
    if (c) {
        char *j1 = gw_config_json(c);
        FUZZ_CHECK(j1);
        char *err2 = NULL;
        gw_config *c2 = gw_config_parse(j1, strlen(j1), &err2);
        if (!c2)
            fprintf(stderr, "printed configuration refused: %s\n%s\n", err2, j1);
        FUZZ_CHECK(c2);
        char *j2 = gw_config_json(c2);
        FUZZ_CHECK(j2 && strcmp(j1, j2) == 0);
        free(j1);
        free(j2);
        gw_config_free(c2);
        gw_config_free(c);
    } else {
        FUZZ_CHECK(strchr(err, ':') != NULL); /* every problem names where */
        free(err);
    }
    return 0;
}
