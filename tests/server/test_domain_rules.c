/* Unit tests of the provider-change plan, revocation list assembly (drop rule, newest kept
 * when full) and lock-log gap bookkeeping. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "consent.h"
#include "gaps.h"
#include "portvakt/proto.h"
#include "provider_change.h"
#include "revlist.h"

static int failures;
#define CHECK(c)                                                                    \
    do {                                                                            \
        if (!(c)) {                                                                 \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #c);   \
            failures++;                                                             \
        }                                                                           \
    } while (0)

static void test_provider_change(void)
{
    /* provider 7 since day 100; a change to 8 planned on day 200; now day 150 */
    pvs_period p[] = {{1, 7, 100, 200}, {2, 8, 200, PVS_DAY_OPEN}};
    pvs_pc_action a[4];
    size_t n;
    /* change to 9 on day 160: closes row 1 at 160, drops the planned row 2, opens 9 */
    CHECK(pvs_provider_change_plan(p, 2, 9, 160, 150, a, 4, &n) == PVS_PC_OK);
    CHECK(n == 3 && a[0].kind == PVS_PC_DROP && a[0].row_id == 2 && a[1].kind == PVS_PC_CLOSE &&
          a[1].row_id == 1 && a[2].kind == PVS_PC_OPEN);
    CHECK(pvs_provider_change_plan(p, 2, 9, 149, 150, a, 4, &n) == PVS_PC_PAST);
    CHECK(pvs_provider_change_plan(p, 2, 7, 160, 150, a, 4, &n) == PVS_PC_SAME);
    CHECK(pvs_provider_change_plan(p, 2, 9, 160, 150, a, 2, &n) == PVS_PC_TOO_MANY);
    /* first provider of a new recipient: just open */
    CHECK(pvs_provider_change_plan(NULL, 0, 7, 150, 150, a, 4, &n) == PVS_PC_OK && n == 1 &&
          a[0].kind == PVS_PC_OPEN);
    /* changing on the day the current period started replaces it */
    pvs_period q[] = {{5, 7, 150, PVS_DAY_OPEN}};
    CHECK(pvs_provider_change_plan(q, 1, 8, 150, 150, a, 4, &n) == PVS_PC_OK && n == 2 &&
          a[0].kind == PVS_PC_DROP && a[0].row_id == 5);
    CHECK(pvs_pc_status_text(PVS_PC_PAST)[0] != '\0');
}

static void test_revlist(void)
{
    uint64_t now = 1000000;
    pv_revoked in[] = {{9, now - 10},
                       {3, now - PV_CRED_MAX_LIFETIME_S},     /* expired: dropped */
                       {5, now - PV_CRED_MAX_LIFETIME_S + 1}, /* one second left: kept */
                       {9, now - 5}};                         /* repeated: newest wins */
    pv_revoked out[PV_REVLIST_MAX];
    uint16_t n;
    int trunc;
    pvs_revlist_assemble(in, 4, now, out, &n, &trunc);
    CHECK(n == 2 && !trunc);
    CHECK(out[0].bearer_id == 5 && out[1].bearer_id == 9 && out[1].revoked_at == now - 5);

    size_t big = PV_REVLIST_MAX + 10;
    pv_revoked *many = calloc(big, sizeof *many);
    for (size_t i = 0; i < big; i++)
        many[i] = (pv_revoked){(uint32_t)(big - i), now - 1000 + i};
    pvs_revlist_assemble(many, big, now, out, &n, &trunc);
    CHECK(n == PV_REVLIST_MAX && trunc);
    int sorted = 1, oldest_kept = 1;
    for (uint16_t i = 0; i < n; i++) {
        if (i && out[i].bearer_id <= out[i - 1].bearer_id)
            sorted = 0;
        if (out[i].revoked_at < now - 1000 + 10) /* the ten oldest must be gone */
            oldest_kept = 0;
    }
    CHECK(sorted && oldest_kept);
    free(many);
    pvs_revlist_assemble(NULL, 0, now, out, &n, &trunc);
    CHECK(n == 0);
}

static void test_gaps(void)
{
    pvs_seqrange g[PVS_GAPS_MAX];
    size_t n = 0;
    uint64_t next = 0;
    CHECK(pvs_gaps_apply(g, &n, PVS_GAPS_MAX, &next, 0, 9) == PV_OK && n == 0 && next == 10);
    /* 10..19 missing */
    CHECK(pvs_gaps_apply(g, &n, PVS_GAPS_MAX, &next, 20, 29) == PV_OK && n == 1 &&
          g[0].from_seq == 10 && g[0].to_seq == 19 && next == 30);
    /* a late batch 13..15 splits the gap */
    CHECK(pvs_gaps_apply(g, &n, PVS_GAPS_MAX, &next, 13, 15) == PV_OK && n == 2 &&
          g[0].from_seq == 10 && g[0].to_seq == 12 && g[1].from_seq == 16 &&
          g[1].to_seq == 19 && next == 30);
    /* a duplicate changes nothing */
    CHECK(pvs_gaps_apply(g, &n, PVS_GAPS_MAX, &next, 20, 29) == PV_OK && n == 2 && next == 30);
    /* filling both closes them */
    CHECK(pvs_gaps_apply(g, &n, PVS_GAPS_MAX, &next, 10, 19) == PV_OK && n == 0);
    /* first batch from a lock whose early events never arrived */
    size_t m = 0;
    uint64_t nx = 0;
    CHECK(pvs_gaps_apply(g, &m, PVS_GAPS_MAX, &nx, 5, 6) == PV_OK && m == 1 &&
          g[0].from_seq == 0 && g[0].to_seq == 4);
    CHECK(pvs_gaps_apply(g, &m, PVS_GAPS_MAX, &nx, 7, 6) == PV_E_RANGE);
    /* capacity: refuses without changing anything */
    size_t k = 0;
    uint64_t kn = 0;
    for (uint32_t i = 0; i < PVS_GAPS_MAX; i++)
        CHECK(pvs_gaps_apply(g, &k, PVS_GAPS_MAX, &kn, 2 * i + 1, 2 * i + 1) == PV_OK);
    CHECK(k == PVS_GAPS_MAX);
    CHECK(pvs_gaps_apply(g, &k, PVS_GAPS_MAX, &kn, 1000, 1000) == PV_E_FULL && k == PVS_GAPS_MAX &&
          kn == 2 * PVS_GAPS_MAX);
}

/* An apartment lock needs its recipient's consent; entrance and common locks the owner's. */
static void test_consent(void)
{
    CHECK(pvs_consent_needed("apartment") == PVS_CONSENT_RECIPIENT);
    CHECK(pvs_consent_needed("entrance") == PVS_CONSENT_OWNER &&
          pvs_consent_needed("common") == PVS_CONSENT_OWNER);
}

int main(void)
{
    test_consent();
    test_provider_change();
    test_revlist();
    test_gaps();
    if (failures)
        fprintf(stderr, "%d check(s) failed\n", failures);
    else
        printf("test_domain_rules: all checks passed\n");
    return failures != 0;
}
