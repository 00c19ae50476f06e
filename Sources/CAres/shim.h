#ifndef NOTICE_AUDIT_CARES_SHIM_H
#define NOTICE_AUDIT_CARES_SHIM_H

#include <ares.h>
#include <arpa/nameser.h>

/* ARES_GETSOCK_READABLE / ARES_GETSOCK_WRITABLE are macros Swift does not import. */
static inline int cares_getsock_readable(int bits, int index) {
    return (bits & (1 << index)) != 0;
}

static inline int cares_getsock_writable(int bits, int index) {
    return (bits & (1 << (index + ARES_GETSOCK_MAXNUM))) != 0;
}

#endif
