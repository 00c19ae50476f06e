#ifndef NOTICE_AUDIT_CARCHIVE_SHIM_H
#define NOTICE_AUDIT_CARCHIVE_SHIM_H

/* libarchive, for the gzip and zip files that carry DMARC aggregate reports (reading), and for
   keeping a report's raw XML compressed in the history (writing). */
#include <archive.h>
#include <archive_entry.h>

/* AE_IFREG is a macro with a cast, which Swift does not import. */
static const unsigned int carchive_regular_file = AE_IFREG;

#endif
