/* Fresh PostgreSQL databases for tests, cloned from a migrated template (pg_fresh.c). */
#ifndef PVS_TEST_PG_FRESH_H
#define PVS_TEST_PG_FRESH_H

#include <stddef.h>

/* Makes database `name` anew (dropped first if it exists) in the server the conninfo `base`
 * names, already migrated to this build's schema: a clone of the template database
 * pvs_tpl_<hash of every migration>, which the first caller builds once under an advisory
 * lock (concurrent tests wait for it). Writes the new database's conninfo to dsn.
 * `name` is [a-z0-9_] only. Returns 0, or -1 with the reason on stderr. */
int pvs_pg_fresh_db(const char *base, const char *name, char *dsn, size_t cap);

/* A database name for a scratch directory: its last component ([a-z0-9_] kept) and a
 * short hash of the whole path, so build/ and build-asan/ never share one. */
void pvs_pg_name_for(const char *prefix, const char *dir, char *out, size_t cap);

#endif
