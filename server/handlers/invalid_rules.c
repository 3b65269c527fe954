/* The rule behind each invalid-value refusal a domain handler sends with pvd_invalid(), so the
 * problem carries it as "errors": [{member, rule}] (the shape invalid-body already has) and the
 * UI words it in the person's language; found by the refusal's format string, exactly. A new
 * pvd_invalid() text without a row here still refuses, with the English detail only. The UI's
 * sentences per rule: server/web/js/problems.js (RULE_KEYS); tests/web/test/02-problem-params
 * walks every rule of this table. */
#include <string.h>

#include "util.h"

static const struct {
    const char *fmt, *member, *rule;
} rules[] = {
    {"lock_id %lld is not an apartment lock in building %lld.",
     "lock_id", "lock-building"},
    {"Provider %lld does not exist.",
     "provider_id", "unknown-provider"},
    {"effective_date must be a date YYYY-MM-DD.",
     "effective_date", "date"},
    {"date must be a date YYYY-MM-DD.",
     "date", "date"},
    {"windows must be a list of 1 to %u weekly windows.",
     "windows", "count"},
    {"%s.days must list distinct weekdays 1 (Monday) to 7 (Sunday).",
     "windows", "windows"},
    {"%s: from and to must be times HH:MM (00:00-24:00) and differ; a window that ends before it starts runs past midnight.",
     "windows", "windows"},
    {"valid_from must be a date YYYY-MM-DD.",
     "valid_from", "date"},
    {"valid_until must be a date YYYY-MM-DD or null.",
     "valid_until", "date"},
    {"kind must be \"standing\" or \"temporary\".",
     "kind", "one-of"},
    {"valid_until is before valid_from.",
     "valid_until", "until-before-from"},
    {"A temporary right (a substitute) needs valid_until, at most 31 days after valid_from.",
     "valid_until", "temporary-length"},
    {"A consent is kind \"recipient\" with recipient_id, \"property\" with building_id (the owner's consent for one property) or \"portfolio\" with owner_id (one consent for the owner's whole portfolio).",
     "kind", "consent-kind"},
    {"kind must be \"apartment\", \"entrance\" or \"common\".",
     "kind", "one-of"},
    {"format is \"json\" (the default) or \"html\".",
     "format", "one-of"},
    {"consent_by is \"resident\" (the resident consented) or \"representative\" (a guardian or someone with power of attorney did).",
     "consent_by", "one-of"},
    {"kind must be \"fob\" or \"phone\".",
     "kind", "one-of"},
    {"code or enrolment_id is required.",
     "code", "required"},
    {"public_key is not a valid Ed25519 public key.",
     "public_key", "hex"},
    {"lock_batches[%zu] must be a hex string of at most %u bytes.",
     "lock_batches", "hex"},
    {"bearer_events[%zu] is another key's event; a key uploads its own.",
     "bearer_events", "other-key"},
    {"nonce must be 64 and signature 128 lowercase hex digits.",
     "signature", "hex"},
    {"Användarnamnet får bara innehålla små bokstäver a–z, siffror, punkt, bindestreck och understreck (3–64 tecken).",
     "username", "username"},
    {"Telefonens nyckel är felaktig.",
     "public_key", "hex"},
};

json_t *pvd_invalid_ext(const char *fmt)
{
    for (size_t i = 0; fmt && i < sizeof rules / sizeof rules[0]; i++)
        if (strcmp(fmt, rules[i].fmt) == 0)
            return json_pack("{s:[{s:s,s:s}]}", "errors", "member", rules[i].member, "rule",
                             rules[i].rule);
    return NULL;
}
