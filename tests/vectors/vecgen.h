/* Known-answer vector generator for lib/proto: writes each tests/vectors/<name>.hex from
 * fixed seeds through the library, and seeds the fuzz corpora. */
#ifndef PV_VECGEN_H
#define PV_VECGEN_H

#include <stdio.h>

/* Names of the vector files, NULL-terminated ("keys", "merkle", ...). */
extern const char *const vec_names[];

/* Write vector file `name` to f. Returns 0, or -1 if a library call failed. */
int vec_emit(const char *name, FILE *f);

/* Write seed inputs for every proto fuzz driver under dir/<driver>/. Returns 0 or -1. */
int vec_corpus(const char *dir);

#endif
