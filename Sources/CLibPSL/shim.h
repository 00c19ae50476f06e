#ifndef NOTICE_AUDIT_LIBPSL_SHIM_H
#define NOTICE_AUDIT_LIBPSL_SHIM_H

/* libpsl (Debian libpsl-dev 0.21): the Public Suffix List that curl itself uses. */
#include <libpsl.h>

#endif
