/* Handlers of the sign-in extensions (security keys, single sign-on; routes_auth.c lists them),
 * and the two
 * questions login.c asks about security keys. */
#ifndef PVS_AUTH_HANDLERS_H
#define PVS_AUTH_HANDLERS_H

#include "pvs/http.h"
#include "pvs/webauthn_store.h"

void pvs_h_passkey_options(struct pvs_req *r);
void pvs_h_passkey(struct pvs_req *r);
void pvs_h_wa_login_options(struct pvs_req *r);
void pvs_h_wa_login(struct pvs_req *r);
void pvs_h_wa_enroll_options(struct pvs_req *r);
void pvs_h_wa_enroll(struct pvs_req *r);
void pvs_h_me_wa_options(struct pvs_req *r);
void pvs_h_me_wa_add(struct pvs_req *r);
void pvs_h_me_wa_list(struct pvs_req *r);
void pvs_h_me_wa_delete(struct pvs_req *r);
void pvs_h_users_wa_list(struct pvs_req *r);
void pvs_h_users_wa_reset(struct pvs_req *r);
void pvs_h_oidc_info(struct pvs_req *r);
void pvs_h_oidc_start(struct pvs_req *r);
void pvs_h_oidc_callback(struct pvs_req *r);

/* Opens a full session for `uid` (req: the struct pvs_req; a struct pvs_session_opener's
 * function for the sign-in services): its cookie and CSRF token. */
int pvs_h_session_open(void *req, int64_t uid);
/* Does the signed-in (or pre-auth) user's role have to use a security key? */
bool pvs_wa_key_required(const struct pvs_req *r);
/* For the TOTP steps: when the role must use a key, answer 403 hardware-key-required and
 * return true (the caller returns). */
bool pvs_wa_totp_refused(struct pvs_req *r);
/* For the password step's answer: true when the user has a registered key. */
bool pvs_wa_user_has_key(pvs_db *db, int64_t user_id);

#endif
