/* Authorization matrix fixtures: how to build, for one route, a request aimed at the
 * caller's own tenant and at another tenant. test_authz_matrix.c walks every route of
 * pvs_core_routes and pvs_domain_routes × every role × own/other tenant with these. */
#ifndef PVT_MX_H
#define PVT_MX_H

#include <stddef.h>
#include <stdint.h>

#include "pvs/http.h"
#include "pvt.h"

enum mx_tenant { MX_OWN = 0, MX_OTHER = 1 };

/* The principals the matrix signs in: one per role; provider roles belong to tenant A
 * (provider[0]); there is a central and a provider auditor. */
enum mx_who {
    MX_CENTRAL_ADMIN,
    MX_INSTALLER,
    MX_PROVIDER_ADMIN,
    MX_PLANNER,
    MX_AUDITOR_PROVIDER,
    MX_AUDITOR_CENTRAL,
    MX_WHO_COUNT
};

#define MX_MAX_NEEDLES 64

struct mx_world {
    struct pvt_server *s;
    struct pvt_client who[MX_WHO_COUNT];
    int64_t provider[2]; /* [MX_OWN] = tenant A (the provider roles' own), [MX_OTHER] = B */
    /* core objects per tenant (made by the core setup) */
    int64_t user_id[2];  /* a planner of each provider */
    int64_t token_id[2]; /* an API token of each provider */
    /* Strings that only tenant B's data contains: no response to a tenant-A principal may
     * contain any of them. Setups add the unique names/keys of every B object they make. */
    const char *needles[MX_MAX_NEEDLES];
    int nneedles;
    char needle_store[MX_MAX_NEEDLES][96];
    void *domain; /* the domain setup's own state */
};

/* Add a needle (copied). */
void mx_add_needle(struct mx_world *w, const char *needle);

/* Return values of a build function. */
#define MX_EXPECT_OK 0   /* own tenant: the request must succeed (2xx) */
#define MX_EXPECT_ANY 1  /* own tenant: any non-5xx answer is fine (still leak-checked) */
#define MX_SKIP 2        /* not applicable (e.g. "other tenant" of a route with no tenant data) */

/*
 * Build the request `as` (one of w->who) makes against `target`'s data for route `rt`:
 * write the concrete path (pattern with every {param} filled) into `path` and a JSON body
 * (malloc'd, or NULL) into *body. May create fresh objects through w->who[MX_CENTRAL_ADMIN]
 * (e.g. a new user to disable, so repeated destructive calls stay meaningful). Returns one of
 * MX_EXPECT_OK, MX_EXPECT_ANY, MX_SKIP, or -1 when the setup failed.
 */
typedef int (*mx_build_fn)(struct mx_world *w, const struct pvs_route *rt, enum mx_who as,
                           enum mx_tenant target, char *path, size_t cap, char **body);

struct mx_fixture {
    const char *method;
    const char *pattern;
    mx_build_fn build;
};

/* Ready-made build function for a plain list route: GET rt->pattern as-is for the own
 * tenant, MX_SKIP for the other (a list has no target; the needle check proves that tenant
 * B's rows stay invisible). */
int mx_fx_list(struct mx_world *w, const struct pvs_route *rt, enum mx_who as,
               enum mx_tenant target, char *path, size_t cap, char **body);

/* Core fixtures (mx_fixtures_core.c) and the domain's (mx_fixtures_domain.c). A USER route
 * without a fixture fails the matrix test, naming the route. */
extern const struct mx_fixture mx_fixtures_core[];
extern const size_t mx_fixtures_core_count;
extern const struct mx_fixture mx_fixtures_domain[];
extern const size_t mx_fixtures_domain_count;
/* The sign-in extensions' fixtures (mx_fixtures_auth.c: security keys). */
extern const struct mx_fixture mx_fixtures_auth[];
extern const size_t mx_fixtures_auth_count;

/* Outgoing events' fixtures (mx_fixtures_webhooks.c). */
extern const struct mx_fixture mx_fixtures_webhooks[];
extern const size_t mx_fixtures_webhooks_count;
/* The care-planning import's fixture (mx_fixtures_import.c). */
extern const struct mx_fixture mx_fixtures_import[];
extern const size_t mx_fixtures_import_count;

/* The phone key's and alarm access's fixtures (mx_fixtures_phone.c), and the domain
 * objects of tenant t they aim at (a staff member, their key, a recipient). */
extern const struct mx_fixture mx_fixtures_phone[];
extern const size_t mx_fixtures_phone_count;
void mx_dom_tenant(int t, int64_t *staff, int64_t *bearer, int64_t *recipient);

/* Tables whose content legitimately changes on any request (session touch, login
 * throttling, nonces); left out of the "nothing changed" snapshot. NULL-terminated. */
extern const char *const mx_domain_volatile_tables[];

/* Called once after the core setup: create the domain's objects in both tenants (staff,
 * bearers, recipients...) and add their needles. Returns 0 or -1. */
int mx_domain_setup(struct mx_world *w);

#endif
