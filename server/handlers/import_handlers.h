/* Handlers of the care-planning import (server/handlers/care_import.c). */
#ifndef PVS_IMPORT_HANDLERS_H
#define PVS_IMPORT_HANDLERS_H

#include "pvs/http.h"

void pvs_h_care_import(struct pvs_req *r);

#endif
