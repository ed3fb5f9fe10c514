/* cidr.c - CIDR parsing and matching for trusted proxies (pure). */
#include "cidr.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

/* Parses an IPv4 or IPv6 address into the 16-byte mapped form; *v4 tells
 * which it was. */
static bool gw_addr_parse(const char *s, unsigned char out[16], bool *v4)
{
    struct in_addr a4;
    if (inet_pton(AF_INET, s, &a4) == 1) {
        memset(out, 0, 10);
        out[10] = out[11] = 0xFF;
        memcpy(out + 12, &a4, 4);
        *v4 = true;
        return true;
    }
    if (inet_pton(AF_INET6, s, out) == 1) {
        *v4 = false;
        return true;
    }
    return false;
}

bool gw_cidr_parse(const char *text, gw_cidr *out)
{
    char host[64];
    const char *slash = strchr(text, '/');
    size_t hl = slash ? (size_t)(slash - text) : strlen(text);
    if (hl == 0 || hl >= sizeof(host))
        return false;
    memcpy(host, text, hl);
    host[hl] = '\0';
    bool v4;
    if (!gw_addr_parse(host, out->addr, &v4))
        return false;
    int max = v4 ? 32 : 128, bits = max;
    if (slash) {
        const char *p = slash + 1;
        if (!*p || strlen(p) > 3)
            return false;
        bits = 0;
        for (; *p; p++) {
            if (*p < '0' || *p > '9')
                return false;
            bits = bits * 10 + (*p - '0');
        }
        if (bits > max)
            return false;
    }
    out->bits = v4 ? bits + 96 : bits;
    for (int i = out->bits; i < 128; i++) /* host bits must be zero */
        if (out->addr[i / 8] & (0x80 >> (i % 8)))
            return false;
    return true;
}

bool gw_cidr_match(const gw_cidr *nets, int n, const char *addr)
{
    unsigned char a[16];
    bool v4;
    if (!addr || !gw_addr_parse(addr, a, &v4))
        return false;
    for (int k = 0; k < n; k++) {
        int bits = nets[k].bits, full = bits / 8, rest = bits % 8;
        if (memcmp(a, nets[k].addr, (size_t)full) != 0)
            continue;
        if (rest && ((a[full] ^ nets[k].addr[full]) & (0xFF << (8 - rest)) & 0xFF))
            continue;
        return true;
    }
    return false;
}
