#ifndef NOTICE_AUDIT_CGMIME_SHIM_H
#define NOTICE_AUDIT_CGMIME_SHIM_H

/* GMime 3, for the mail messages that carry DMARC aggregate reports. GObject's casts and type
   checks are macros Swift cannot call, so the walk over a message's parts is written here, in C,
   and hands each decoded leaf part to a callback.

   GMime is loaded with dlopen(3) the first time a message is read, not linked: with it comes GLib,
   GObject, GIO and GPGME, 2.4 MB of mapped code in every scan, which reads no message (issue 22).
   So no GMime header is included: the few types and the calls used are declared here, as GMime 3
   and GLib 2 define them (gmime/gmime-parser.h, glib/garray.h). */
#include <dlfcn.h>
#include <stddef.h>
#include <stdio.h>

typedef struct { unsigned char *data; unsigned int len; } cgmime_byte_array;   /* GByteArray */
typedef void (*cgmime_foreach_func)(void *parent, void *part, void *data);    /* GMimeObjectForeachFunc */
enum { CGMIME_FORMAT_MESSAGE = 0, CGMIME_FORMAT_MBOX = 1 };                   /* GMimeFormat */

struct cgmime_api {
    void (*init)(void);
    unsigned long (*part_get_type)(void);
    int (*type_check_instance_is_a)(void *instance, unsigned long type);
    void *(*part_get_content)(void *part);
    void *(*stream_mem_new)(void);
    long (*data_wrapper_write_to_stream)(void *wrapper, void *stream);
    cgmime_byte_array *(*stream_mem_get_byte_array)(void *stream);
    void *(*object_get_content_type)(void *object);
    char *(*content_type_get_mime_type)(void *type);
    const char *(*part_get_filename)(void *part);
    void (*free)(void *memory);
    void (*object_unref)(void *object);
    void *(*stream_mem_new_with_buffer)(const char *buffer, size_t length);
    void *(*parser_new_with_stream)(void *stream);
    void (*parser_set_format)(void *parser, int format);
    int (*parser_eos)(void *parser);
    void *(*parser_construct_message)(void *parser, void *options);
    void (*message_foreach)(void *message, cgmime_foreach_func callback, void *data);
};

/* The library and its calls, resolved once; NULL (and the reason in `error`) when GMime cannot be
   loaded. Called under the Swift side's lazy initialisation, so once per process. */
static inline const struct cgmime_api *cgmime_load(char *error, size_t capacity) {
    static struct cgmime_api api;
    void *library = dlopen("libgmime-3.0.so.0", RTLD_NOW | RTLD_LOCAL);
    if (!library) {
        snprintf(error, capacity, "%s", dlerror());
        return NULL;
    }
#define CGMIME_RESOLVE(field, name) \
    *(void **)(&api.field) = dlsym(library, name); \
    if (!api.field) { snprintf(error, capacity, "%s has no %s", "libgmime-3.0.so.0", name); return NULL; }
    CGMIME_RESOLVE(init, "g_mime_init")
    CGMIME_RESOLVE(part_get_type, "g_mime_part_get_type")
    CGMIME_RESOLVE(type_check_instance_is_a, "g_type_check_instance_is_a")
    CGMIME_RESOLVE(part_get_content, "g_mime_part_get_content")
    CGMIME_RESOLVE(stream_mem_new, "g_mime_stream_mem_new")
    CGMIME_RESOLVE(data_wrapper_write_to_stream, "g_mime_data_wrapper_write_to_stream")
    CGMIME_RESOLVE(stream_mem_get_byte_array, "g_mime_stream_mem_get_byte_array")
    CGMIME_RESOLVE(object_get_content_type, "g_mime_object_get_content_type")
    CGMIME_RESOLVE(content_type_get_mime_type, "g_mime_content_type_get_mime_type")
    CGMIME_RESOLVE(part_get_filename, "g_mime_part_get_filename")
    CGMIME_RESOLVE(free, "g_free")
    CGMIME_RESOLVE(object_unref, "g_object_unref")
    CGMIME_RESOLVE(stream_mem_new_with_buffer, "g_mime_stream_mem_new_with_buffer")
    CGMIME_RESOLVE(parser_new_with_stream, "g_mime_parser_new_with_stream")
    CGMIME_RESOLVE(parser_set_format, "g_mime_parser_set_format")
    CGMIME_RESOLVE(parser_eos, "g_mime_parser_eos")
    CGMIME_RESOLVE(parser_construct_message, "g_mime_parser_construct_message")
    CGMIME_RESOLVE(message_foreach, "g_mime_message_foreach")
#undef CGMIME_RESOLVE
    api.init();
    return &api;
}

/* One decoded leaf part: its file name (NULL when it has none), its content type and its bytes
   after the Content-Transfer-Encoding (base64, quoted-printable) is undone. */
typedef void (*cgmime_part_callback)(const char *filename, const char *content_type, const unsigned char *bytes, size_t length, void *context);

struct cgmime_walk {
    const struct cgmime_api *api;
    cgmime_part_callback callback;
    void *context;
};

static void cgmime_visit(void *parent, void *part, void *data) {
    (void)parent;
    struct cgmime_walk *walk = (struct cgmime_walk *)data;
    const struct cgmime_api *api = walk->api;
    if (!part || !api->type_check_instance_is_a(part, api->part_get_type())) return;   /* GMIME_IS_PART */
    void *content = api->part_get_content(part);
    if (!content) return;
    void *out = api->stream_mem_new();
    api->data_wrapper_write_to_stream(content, out);
    cgmime_byte_array *array = api->stream_mem_get_byte_array(out);
    void *type = api->object_get_content_type(part);
    char *type_text = type ? api->content_type_get_mime_type(type) : NULL;
    walk->callback(api->part_get_filename(part), type_text, array ? array->data : NULL, array ? array->len : 0, walk->context);
    api->free(type_text);
    api->object_unref(out);
}

/* Every leaf part of every message in `buffer` (one message, or an mbox when `is_mbox`);
   g_mime_message_foreach visits the message's own part first, then a multipart's parts.
   Returns the number of messages read. */
static inline int cgmime_each_part(const struct cgmime_api *api, const char *buffer, size_t length, int is_mbox, cgmime_part_callback callback, void *context) {
    void *stream = api->stream_mem_new_with_buffer(buffer, length);
    void *parser = api->parser_new_with_stream(stream);
    api->parser_set_format(parser, is_mbox ? CGMIME_FORMAT_MBOX : CGMIME_FORMAT_MESSAGE);
    struct cgmime_walk walk = { api, callback, context };
    int messages = 0;
    while (!api->parser_eos(parser)) {
        void *message = api->parser_construct_message(parser, NULL);
        if (!message) break;
        messages++;
        api->message_foreach(message, cgmime_visit, &walk);
        api->object_unref(message);
        if (!is_mbox) break;
    }
    api->object_unref(parser);
    api->object_unref(stream);
    return messages;
}

#endif
