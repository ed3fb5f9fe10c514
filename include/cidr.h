/*
 * cidr.h - IPv4/IPv6 networks in CIDR form, for identity.trusted_proxies.
 * Pure: parses text, matches addresses.
 */
#ifndef GW_CIDR_H
#define GW_CIDR_H

#include <stdbool.h>

typedef struct {
    unsigned char addr[16]; /* IPv4 stored as IPv4-mapped IPv6 */
    int bits;               /* prefix length over the 128-bit form */
} gw_cidr;

/* Parses "a.b.c.d/n", "a.b.c.d", "x::y/n" or "x::y" into *out. Host bits
 * must be zero ("10.0.0.1/8" is refused: it is almost always a typo).
 * Returns true on success. */
bool gw_cidr_parse(const char *text, gw_cidr *out);

/* True when the textual address addr (IPv4, IPv6, or IPv4-mapped IPv6)
 * lies inside one of the n networks. An unparsable addr matches nothing. */
bool gw_cidr_match(const gw_cidr *nets, int n, const char *addr);

#endif
