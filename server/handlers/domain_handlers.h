/* Handlers of the domain routes (listed in server/handlers/routes_domain.c). */
#ifndef PVS_DOMAIN_API_H
#define PVS_DOMAIN_API_H

#include "pvs/http.h"

void pvd_staff_list(struct pvs_req *r);
void pvd_staff_get(struct pvs_req *r);
void pvd_staff_create(struct pvs_req *r);
void pvd_staff_patch(struct pvs_req *r);
void pvd_bearers_list(struct pvs_req *r);
void pvd_bearers_get(struct pvs_req *r);
void pvd_bearers_create(struct pvs_req *r);
void pvd_bearers_report_lost(struct pvs_req *r);
void pvd_bearers_retire(struct pvs_req *r);
void pvd_stations_list(struct pvs_req *r);
void pvd_stations_get(struct pvs_req *r);
void pvd_stations_create(struct pvs_req *r);
void pvd_stations_retire(struct pvs_req *r);

void pvd_owners_list(struct pvs_req *r);
void pvd_owners_get(struct pvs_req *r);
void pvd_owners_create(struct pvs_req *r);
void pvd_buildings_list(struct pvs_req *r);
void pvd_buildings_get(struct pvs_req *r);
void pvd_buildings_create(struct pvs_req *r);
void pvd_consents_list(struct pvs_req *r);
void pvd_consents_get(struct pvs_req *r);
void pvd_consents_create(struct pvs_req *r);
void pvd_consents_withdraw(struct pvs_req *r);
void pvd_locks_list(struct pvs_req *r);
void pvd_locks_get(struct pvs_req *r);
void pvd_locks_create(struct pvs_req *r);
void pvd_locks_commission(struct pvs_req *r);
void pvd_locks_move(struct pvs_req *r);
void pvd_locks_remove(struct pvs_req *r);
void pvd_locks_who(struct pvs_req *r);
/* labels.c: scanned or typed public keys with check digits, a lock's printable label */
void pvd_public_keys_read(struct pvs_req *r);
void pvd_locks_label(struct pvs_req *r);

void pvd_recipients_list(struct pvs_req *r);
void pvd_recipients_get(struct pvs_req *r);
void pvd_recipients_create(struct pvs_req *r);
void pvd_recipients_patch(struct pvs_req *r);
void pvd_provider_change(struct pvs_req *r);
void pvd_rights_list(struct pvs_req *r);
void pvd_rights_get(struct pvs_req *r);
void pvd_rights_create(struct pvs_req *r);
void pvd_rights_delete(struct pvs_req *r);

void pvd_sync_challenge(struct pvs_req *r);
void pvd_sync(struct pvs_req *r);
void pvd_ingest(struct pvs_req *r);

void pvd_access_log(struct pvs_req *r);
void pvd_overview(struct pvs_req *r);
void pvd_revocation_status(struct pvs_req *r);

/* The resident's view (resident_links.c, resident_page.c). */
void pvd_resident_links_list(struct pvs_req *r);
void pvd_resident_links_create(struct pvs_req *r);
void pvd_resident_links_views(struct pvs_req *r);
void pvd_resident_links_revoke(struct pvs_req *r);
void pvd_resident_page(struct pvs_req *r);
/* The register extract (extract.c). */
void pvd_recipient_extract(struct pvs_req *r);

#endif
