/* A lock's registered public key and label, read for its printed label (lock_label.h). */
#include "lock_label.h"

#include <stdio.h>
#include <string.h>

#include "rows.h"

typedef struct key_out {
    uint8_t *pk;
    bool *has_key;
    char *label;
} key_out;

static bool key_row(pvs_stmt *st, void *ctx)
{
    key_out *k = ctx;
    size_t len = 0;
    const void *b = pvs_col_blob(st, 0, &len);
    *k->has_key = b && len == 32;
    if (*k->has_key)
        memcpy(k->pk, b, 32);
    const char *l = pvs_col_text(st, 1);
    snprintf(k->label, 64, "%s", l ? l : "");
    return false;
}

int pvs_lock_label_key(pvs_db *db, int64_t lock_id, uint8_t pk[32], bool *has_key, char label[64])
{
    key_out k = {pk, has_key, label};
    *has_key = false;
    label[0] = '\0';
    return pvs_rows_one(db, "SELECT lock_public_key, label FROM locks WHERE id = ?",
                        PVS_ARGS(PVS_I64(lock_id)), &(struct pvs_rows_out){key_row, &k});
}
