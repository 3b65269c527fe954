/* The one `key = value` config-file reader of portvakt-server and portvakt-station:
 * bounded file and line sizes, `#` comments, errors that name the line. */
#ifndef PORTVAKT_CONF_H
#define PORTVAKT_CONF_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PV_CONF_MAX_FILE (64u * 1024u) /* a config file is a page of settings, not data */
#define PV_CONF_MAX_LINE 2048u         /* longer than any path a setting may hold */

/* Called once per setting, in file order, with key and value trimmed of blanks (the value
 * may be empty). Return 0, or -1 with the reason in why (NUL-terminated, at most whycap
 * bytes); the reader adds where it was. */
typedef int (*pv_conf_set_fn)(void *ctx, const char *key, const char *value, char *why,
                              size_t whycap);

/* Read settings from text[0..len): lines end in \n (a \r before it is dropped); blank
 * lines and lines starting with # are skipped; every other line is `key = value`. Stops
 * at the first bad line or refused setting: 0, or -1 with "line N: …" in err. A line of
 * PV_CONF_MAX_LINE bytes or more, or one holding a NUL byte, is refused. */
int pv_conf_parse(const char *text, size_t len, pv_conf_set_fn set, void *ctx, char *err,
                  size_t errcap);

/* The same for a file of at most PV_CONF_MAX_FILE bytes; err names the path. */
int pv_conf_load(const char *path, pv_conf_set_fn set, void *ctx, char *err, size_t errcap);

#ifdef __cplusplus
}
#endif
#endif
