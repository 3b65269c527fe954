/* Parameters for the older refusals (conflict, reference, invalid-value, forbidden), so the UI
 * can word them in the person's language from a stable name instead of the English detail:
 * "what" a store error is about as an object slug, a caller's role. Pure table look-ups. */
#include <string.h>

#include "pvs/http.h"

/* The nouns handlers pass to pvs_problem_db() (the English detail's subject), and the object
 * each means; the UI has a sentence per object (problem.conflict.<object> in i18n). */
static const struct {
    const char *what, *object;
} objects[] = {
    {"key", "key"},
    {"key with this public key", "key"},
    {"station with this public key", "station"},
    {"Station", "station"},
    {"recipient with this alarm code, lock, building or provider", "recipient"},
    {"Care recipient", "recipient"},
    {"care recipient", "recipient"},
    {"provider", "provider"},
    {"This provider", "provider"},
    {"provider period", "provider"},
    {"user", "user"},
    {"This user", "user"},
    {"Your user", "user"},
    {"That username", "user"},
    {"staff member", "staff"},
    {"Staff member", "staff"},
    {"lock", "lock"},
    {"API token", "token"},
    {"This token", "token"},
    {"That token", "token"},
    {"Right", "right"},
    {"security key", "security-key"},
    {"alarm grant", "alarm-grant"},
    {"That webhook", "webhook"},
    {"enrolment", "enrolment"},
};

const char *pvs_problem_object(const char *what)
{
    for (size_t i = 0; what && i < sizeof objects / sizeof objects[0]; i++)
        if (strcmp(what, objects[i].what) == 0)
            return objects[i].object;
    return NULL;
}

json_t *pvs_problem_object_params(const char *what)
{
    const char *o = pvs_problem_object(what);
    return o ? json_pack("{s:{s:s}}", "params", "object", o) : NULL;
}

json_t *pvs_problem_role_params(enum pvs_role caller, enum pvs_role target)
{
    json_t *p = json_pack("{s:s}", "role", pvs_role_name(caller));
    if (p && target != PVS_ROLE_NONE)
        json_object_set_new(p, "target_role", json_string(pvs_role_name(target)));
    return p ? json_pack("{s:o}", "params", p) : NULL;
}
