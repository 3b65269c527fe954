/* portvakt-station's settings: a key=value config file, then command-line flags. */
#ifndef PVST_CONFIG_H
#define PVST_CONFIG_H

#include <stddef.h>
#include <stdint.h>

typedef struct pvst_config {
    char server[256], fallback[256], ca_cert[256], station_key[256];
    char queue_dir[256], key_socket[256], clock_file[256];
    uint32_t station_id;
    long timeout_ms;
    int verbose;
} pvst_config;

/* Applies "--name value" flags (and "--config F" first, wherever it appears). Writes a
 * message for people into err and returns -1 on a bad or missing setting. */
int pvst_config_load(pvst_config *c, int argc, char **argv, char *err, size_t errcap);
/* Reads a station key file: 64 hex characters (the Ed25519 seed), optional newline.
 * Expands it into a libsodium secret key. */
int pvst_load_station_key(const char *path, uint8_t sk[64], char *err, size_t errcap);

#endif
