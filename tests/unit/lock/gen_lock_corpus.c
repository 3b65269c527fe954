/* Writes the seed corpus of fuzz/fuzz_lock_door.c: gen_lock_corpus <dir>. */
#include <stdint.h>
#include <stdio.h>

size_t fuzz_lock_door_seed(int which, uint8_t *out, size_t cap);

int main(int argc, char **argv)
{
    if (argc != 2)
        return 2;
    static uint8_t buf[4096];
    static const char *names[4] = {"present", "present_updates", "inner_raw", "hello"};
    for (int i = 0; i < 4; i++) {
        size_t n = fuzz_lock_door_seed(i, buf, sizeof buf);
        char path[512];
        snprintf(path, sizeof path, "%s/%s", argv[1], names[i]);
        FILE *f = fopen(path, "wb");
        if (!n || !f || fwrite(buf, 1, n, f) != n)
            return 1;
        fclose(f);
        /* the same frames late (bit 2): the challenge-expired path */
        buf[0] |= 4;
        snprintf(path, sizeof path, "%s/%s_late", argv[1], names[i]);
        f = fopen(path, "wb");
        if (!f || fwrite(buf, 1, n, f) != n)
            return 1;
        fclose(f);
    }
    return 0;
}
