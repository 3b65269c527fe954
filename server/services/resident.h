/* The resident's view of who entered their home: capability links (opt-in, consent recorded,
 * stored only as a keyed hash), the passages at the recipient's apartment door they show,
 * every view recorded, and the rate limit on refused lookups. docs/privacy.md. */
#ifndef PVS_SERVICES_RESIDENT_H
#define PVS_SERVICES_RESIDENT_H

#include <stdbool.h>
#include <stdint.h>

#include "pvs/store.h"

#define PVS_RESIDENT_SECRET_LEN 32  /* 256 bits */
#define PVS_RESIDENT_TOKEN_LEN 43   /* base64url of 32 bytes, no padding */
#define PVS_RESIDENT_DAYS 30        /* what the view shows */
#define PVS_RESIDENT_MAX_ROWS 500   /* a month of visits is well under this */
/* Refused lookups per client address and window before every lookup from it is refused:
 * a resident mistyping from the paper leaflet stays well under it, a guesser does not. */
#define PVS_RESIDENT_MAX_FAILURES 20
#define PVS_RESIDENT_FAIL_WINDOW_S 900

/* A new link; the token is shown once (on the leaflet) and only its keyed hash is kept. */
struct pvs_resident_new {
    int64_t recipient_id;
    const char *consent_given_on; /* YYYY-MM-DD */
    const char *consent_by;       /* "resident" | "representative" */
    const char *consent_reference;
    int64_t user_id;
    int64_t now;
};

/* Create a link inside the caller's write transaction, revoking every earlier link of the
 * recipient (one valid link at a time). token receives the secret (NUL terminated).
 * Returns a pvs_db_rc (PVS_DB_NOTFOUND: no such recipient). */
int pvs_resident_link_create(pvs_db *db, const struct pvs_resident_new *req, int64_t *id,
                             char token[PVS_RESIDENT_TOKEN_LEN + 1]) PV_MUST_CHECK;
/* Revoke a link inside the caller's write transaction; *recipient_id receives its
 * recipient. PVS_DB_NOTFOUND when unknown, PVS_DB_CONSTRAINT when already revoked. */
int pvs_resident_link_revoke(pvs_db *db, int64_t link_id, int64_t user_id, int64_t now,
                             int64_t *recipient_id) PV_MUST_CHECK;

/* The paginated lists (for pvd_list: the recipient's or the link's id, then the page):
 * a recipient's links with views count and last view; one link's views. */
extern const char pvs_resident_links_sql[];
extern const char pvs_resident_views_sql[];

/* Outcome of a lookup by token. */
enum pvs_resident_lookup {
    PVS_RESIDENT_OK,
    PVS_RESIDENT_UNKNOWN,  /* no such link, or a malformed token */
    PVS_RESIDENT_REVOKED,  /* the link was revoked */
    PVS_RESIDENT_LIMITED,  /* too many refused lookups from this address */
};

/* One passage (or refused attempt) at the recipient's apartment door. */
struct pvs_resident_row {
    int64_t time;
    bool opened;
    int reason;            /* pv_err of a refusal (0 when opened or unknown) */
    char door[80];         /* the lock's label, or "" */
    char provider[120];
    char first_name[64];   /* the staff member's first name only */
    char key_label[64];
    bool key_reported;     /* reported by the key only (the lock's report not yet in) */
    bool alarm;            /* opened under an alarm right (services/alarm_flag.h) */
};

struct pvs_resident_view {
    int64_t link_id;
    int64_t recipient_id;
    struct pvs_resident_row *rows; /* newest first; caller frees with pvs_resident_view_free */
    size_t nrows;
};

/*
 * Look the token up (keyed hash, constant-time), refusing while the client address is over
 * the rate limit; on success read the last PVS_RESIDENT_DAYS days and record the view, in
 * one write transaction. A refused lookup is recorded against client_addr.
 * Returns a pvs_db_rc; *outcome says what the person sees.
 */
int pvs_resident_lookup(pvs_db *db, const char *token, const char *client_addr, int64_t now,
                        enum pvs_resident_lookup *outcome, struct pvs_resident_view *view)
    PV_MUST_CHECK;
void pvs_resident_view_free(struct pvs_resident_view *v);

#endif
