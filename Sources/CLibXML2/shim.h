#ifndef NOTICE_AUDIT_CLIBXML2_SHIM_H
#define NOTICE_AUDIT_CLIBXML2_SHIM_H

/* Debian's libxml2 is built with ICU, and its encoding.h then includes ICU headers that clash
   with the ICU copy inside Swift's Foundation. Nothing here touches the ICU-dependent members of
   xmlCharEncodingHandler (only pointers to it pass through), so leave ICU out. */
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/xmlerror.h>
#include <libxml/xpath.h>
#include <libxml/tree.h>

/* xmlFree is a global function pointer; Swift calls it through this helper. */
static inline void clibxml2_free(void *pointer) {
    xmlFree(pointer);
}

#endif
