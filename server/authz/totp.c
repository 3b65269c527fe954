/* TOTP second factor (RFC 6238 via liboath: 6 digits, 30 s steps, +-1 step) with the matched
 * step reported so codes are single use, the otpauth:// enrolment URI and its QR code. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <liboath/oath.h>
#include <qrencode.h>
#include <sodium.h>

#include "pvs/core.h"

#define TOTP_STEP 30u
#define TOTP_WINDOW 1u

/* liboath's comparison callback: 0 when equal, in constant time for equal lengths. */
static int cmp_otp(void *handle, const char *test)
{
    const char *code = handle;
    if (strlen(code) != strlen(test))
        return 1;
    return sodium_memcmp(code, test, strlen(code)) == 0 ? 0 : 1;
}

static pthread_once_t oath_once = PTHREAD_ONCE_INIT;
static bool oath_ready;

static void init_oath(void)
{
    oath_ready = oath_init() == OATH_OK;
}

bool pvs_totp_check(const uint8_t *secret, size_t len, const char *code, int64_t now,
                    uint64_t *step)
{
    pthread_once(&oath_once, init_oath);
    if (!oath_ready)
        return false;
    if (!code || strlen(code) != 6)
        return false;
    for (const char *c = code; *c; c++)
        if (*c < '0' || *c > '9')
            return false;
    int pos = 0;
    uint64_t counter = 0;
    int rc = oath_totp_validate3_callback((const char *)secret, len, (time_t)now, TOTP_STEP, 0, 6,
                                          TOTP_WINDOW, &pos, &counter, cmp_otp, (void *)code);
    if (rc < 0)
        return false;
    *step = counter;
    return true;
}

char *pvs_totp_uri(const char *username, const uint8_t *secret, size_t len)
{
    char *b32 = NULL;
    size_t b32len = 0;
    if (oath_base32_encode((const char *)secret, len, &b32, &b32len) != OATH_OK)
        return NULL;
    /* drop '=' padding: authenticator apps expect unpadded base32 */
    while (b32len && b32[b32len - 1] == '=')
        b32[--b32len] = '\0';
    char user[200];
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)username; *p && o + 4 < sizeof user; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '_' || *p == '.')
            user[o++] = (char)*p;
        else
            o += (size_t)snprintf(user + o, sizeof user - o, "%%%02X", *p);
    }
    user[o] = '\0';
    size_t cap = strlen(user) + b32len + 128;
    char *uri = malloc(cap);
    if (uri)
        snprintf(uri, cap,
                 "otpauth://totp/Portvakt:%s?secret=%s&issuer=Portvakt&algorithm=SHA1&digits=6&period=30",
                 user, b32);
    sodium_memzero(b32, b32len);
    free(b32);
    return uri;
}

char *pvs_qr_svg(const char *text)
{
    QRcode *q = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (!q)
        return NULL;
    int w = q->width, quiet = 4, size = w + 2 * quiet;
    /* one path with a unit square per dark module; ~20 bytes each */
    size_t cap = (size_t)w * (size_t)w * 24 + 512, len = 0;
    char *svg = malloc(cap);
    if (!svg) {
        QRcode_free(q);
        return NULL;
    }
    len += (size_t)snprintf(svg + len, cap - len,
                            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
                            "shape-rendering=\"crispEdges\"><rect width=\"%d\" height=\"%d\" "
                            "fill=\"#fff\"/><path fill=\"#000\" d=\"",
                            size, size, size, size);
    for (int y = 0; y < w; y++)
        for (int x = 0; x < w; x++)
            if (q->data[y * w + x] & 1)
                len += (size_t)snprintf(svg + len, cap - len, "M%d %dh1v1h-1z", x + quiet,
                                        y + quiet);
    snprintf(svg + len, cap - len, "\"/></svg>");
    QRcode_free(q);
    return svg;
}
