/* Public keys people scan or type instead of 64 bare hex digits: POST /public-keys/read turns
 * a label's QR text or a typed key with its check digits into the key (a typo is refused before
 * anything is stored), and GET /locks/{id}/label gives a registered lock's label again as text
 * and QR code, for printing. The text format: lib/proto/pkcode.c, docs/enrolment.md. */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "portvakt/proto.h"
#include "pvs/core.h"
#include "../services/lock_label.h"
#include "domain_handlers.h"
#include "util.h"

static const char *const kind_words[] = {"", "lock", "key", "station"};

/* "lock" | "key" | "station" -> its kind; PV_PKCODE_ANY for anything else. */
static pv_pkcode_kind kind_of(const char *w)
{
    for (int k = PV_PKCODE_LOCK; k <= PV_PKCODE_STATION; k++)
        if (strcmp(w, kind_words[k]) == 0)
            return (pv_pkcode_kind)k;
    return PV_PKCODE_ANY;
}

/* The refusal for text that does not read as a key of the kind the form asked for. */
static void refuse(struct pvs_req *r, int rc, pv_pkcode_kind want, pv_pkcode_kind got)
{
    const char *kind = want ? kind_words[want] : "key";
    json_t *p = json_pack("{s:{s:s}}", "params", "object", kind);
    if (rc == PV_OK) {
        json_object_set_new(json_object_get(p, "params"), "label_kind",
                            json_string(kind_words[got]));
        pvs_problem_ext(r, 400, "public-key-wrong-kind", "Label of another kind of device", p,
                        "This is the label of a %s, not of a %s.", kind_words[got], kind);
    } else if (rc == PV_E_CHECKSUM)
        pvs_problem_ext(r, 400, "public-key-mistyped", "Public key mistyped", p,
                        "The check digits do not match the key: a digit is mistyped. Nothing "
                        "was stored; compare the text with the label again.");
    else if (rc == PV_E_TRUNCATED)
        pvs_problem_ext(r, 400, "public-key-no-check", "Check digits missing", p,
                        "Type the 6 check digits after the 64 digits of the key, as printed on "
                        "the label.");
    else
        pvs_problem_ext(r, 400, "public-key-unreadable", "Public key unreadable", p,
                        "Expected 64 hex digits, a hyphen and 6 check digits, or the text of "
                        "the label's QR code.");
}

void pvd_public_keys_read(struct pvs_req *r)
{
    static const struct pvs_jfield f[] = {
        {"text", PVS_J_STRING, PVS_JF_REQUIRED, 1, PV_PKCODE_MAX_INPUT},
        {"kind", PVS_J_STRING, 0, 3, 7},
    };
    json_t *b = pvs_body_json(r, PVS_JFIELDS(f));
    if (!b)
        return;
    const char *text = pvs_jstr(b, "text", "");
    pv_pkcode_kind want = kind_of(pvs_jstr(b, "kind", "")), got = PV_PKCODE_ANY;
    uint8_t pk[PV_PK_SIZE], x[PV_PK_SIZE];
    int rc = pv_pkcode_parse(text, strlen(text), pk, &got);
    if (rc == PV_OK && pv_bearer_x_pk(pk, x) != PV_OK)
        rc = PV_E_CRYPTO; /* check digits right, but no Ed25519 key: unreadable */
    if (rc != PV_OK || (want && got && got != want)) {
        json_decref(b);
        refuse(r, rc, want, got);
        return;
    }
    char hex[2 * PV_PK_SIZE + 1], canon[PV_PKCODE_TEXT_SIZE];
    sodium_bin2hex(hex, sizeof hex, pk, sizeof pk);
    if (pv_pkcode_format(pk, PV_PKCODE_ANY, canon) != PV_OK)
        canon[0] = '\0';
    json_decref(b);
    pvs_reply_json(r, 200, json_pack("{s:s,s:s,s:s}", "public_key", hex, "text", canon,
                                     "label_kind", kind_words[got]));
}

void pvd_locks_label(struct pvs_req *r)
{
    int64_t id;
    uint8_t pk[PV_PK_SIZE];
    bool has = false;
    char label[64];
    if (!pvs_req_id(r, 0, &id) || !pvd_begin(r, false))
        return;
    int rc = pvs_lock_label_key(r->db, id, pk, &has, label);
    pvs_tx_rollback(r->db);
    if (rc != PVS_DB_OK || !has) {
        if (rc == PVS_DB_NOTFOUND || rc == PVS_DB_OK)
            pvs_problem_ext(r, rc == PVS_DB_OK ? 409 : 404,
                            rc == PVS_DB_OK ? "lock-no-key" : "not-found",
                            rc == PVS_DB_OK ? "Lock has no public key" : "Not found",
                            json_pack("{s:{s:s}}", "params", "object", "lock"),
                            "Lock %lld %s.", (long long)id,
                            rc == PVS_DB_OK ? "has no registered public key" : "does not exist");
        else
            pvs_problem_db(r, rc, "lock");
        return;
    }
    char text[PV_PKCODE_TEXT_SIZE];
    if (pv_pkcode_format(pk, PV_PKCODE_LOCK, text) != PV_OK) {
        pvs_problem(r, 500, "internal", "Internal error", "The label could not be written.");
        return;
    }
    char *svg = pvs_qr_svg(text);
    json_t *o = json_pack("{s:I,s:s,s:s,s:s?}", "lock_id", (json_int_t)id, "label", label,
                          "text", text, "qr_svg", svg);
    free(svg);
    pvs_reply_json(r, 200, o);
}
