/* placeholder */
#include "sim.h"
int sim_backend_http(sim *s, const sim_http_opts *o) { return PV_E_ARG; }
int sim_visit_cmd(const sim_http_opts *o) { return 2; }
