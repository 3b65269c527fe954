/* A small JSON-over-HTTPS client for portvakt-server's API (libcurl + jansson). */
#ifndef PVSIM_API_H
#define PVSIM_API_H

#include <jansson.h>

typedef struct sim_api sim_api;

/* base like "https://127.0.0.1:8443"; ca_file may be NULL (system store). */
sim_api *sim_api_new(const char *base, const char *ca_file);
void sim_api_free(sim_api *a);
void sim_api_set_token(sim_api *a, const char *token);
/* Sends method path with body (NULL: none; the reference is stolen). Returns the HTTP status
 * (0 when the server could not be reached) and the decoded answer in *out (caller decrefs;
 * may be NULL). A failing call prints the server's problem detail to stderr. */
long sim_api_call(sim_api *a, const char *method, const char *path, json_t *body,
                  json_t **out);
/* POST that must answer 200/201 with an "id": returns the id, or 0 after printing why. */
long long sim_api_create(sim_api *a, const char *path, json_t *body);
/* Signs in as a fresh central administrator (login, TOTP enrolment) and creates an API
 * token; returns a malloc'd token secret or NULL. */
char *sim_api_bootstrap_token(sim_api *a, const char *user, const char *password);

#endif
