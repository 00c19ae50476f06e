#ifndef NOTICE_AUDIT_CGMIME_SHIM_H
#define NOTICE_AUDIT_CGMIME_SHIM_H

/* GMime 3, for the mail messages that carry DMARC aggregate reports. GObject's casts and type
   checks are macros Swift cannot call, so the walk over a message's parts is written here, in C,
   and hands each decoded leaf part to a callback. */
#include <gmime/gmime.h>

/* One decoded leaf part: its file name (NULL when it has none), its content type and its bytes
   after the Content-Transfer-Encoding (base64, quoted-printable) is undone. */
typedef void (*cgmime_part_callback)(const char *filename, const char *content_type, const unsigned char *bytes, size_t length, void *context);

struct cgmime_walk {
    cgmime_part_callback callback;
    void *context;
};

static void cgmime_visit(GMimeObject *parent, GMimeObject *part, gpointer data) {
    (void)parent;
    struct cgmime_walk *walk = (struct cgmime_walk *)data;
    if (!GMIME_IS_PART(part)) return;
    GMimeDataWrapper *content = g_mime_part_get_content((GMimePart *)part);
    if (!content) return;
    GMimeStream *out = g_mime_stream_mem_new();
    g_mime_data_wrapper_write_to_stream(content, out);
    GByteArray *array = g_mime_stream_mem_get_byte_array((GMimeStreamMem *)out);
    GMimeContentType *type = g_mime_object_get_content_type(part);
    char *type_text = type ? g_mime_content_type_get_mime_type(type) : NULL;
    walk->callback(g_mime_part_get_filename((GMimePart *)part), type_text, array ? array->data : NULL, array ? array->len : 0, walk->context);
    g_free(type_text);
    g_object_unref(out);
}

/* Every leaf part of every message in `buffer` (one message, or an mbox when `is_mbox`);
   g_mime_message_foreach visits the message's own part first, then a multipart's parts.
   Returns the number of messages read. */
static inline int cgmime_each_part(const char *buffer, size_t length, int is_mbox, cgmime_part_callback callback, void *context) {
    GMimeStream *stream = g_mime_stream_mem_new_with_buffer(buffer, length);
    GMimeParser *parser = g_mime_parser_new_with_stream(stream);
    g_mime_parser_set_format(parser, is_mbox ? GMIME_FORMAT_MBOX : GMIME_FORMAT_MESSAGE);
    struct cgmime_walk walk = { callback, context };
    int messages = 0;
    while (!g_mime_parser_eos(parser)) {
        GMimeMessage *message = g_mime_parser_construct_message(parser, NULL);
        if (!message) break;
        messages++;
        g_mime_message_foreach(message, cgmime_visit, &walk);
        g_object_unref(message);
        if (!is_mbox) break;
    }
    g_object_unref(parser);
    g_object_unref(stream);
    return messages;
}

#endif
