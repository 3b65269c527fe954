/* newlib's system calls for the firmware images: stdout/stderr to the host's console over
 * semihosting, a heap between the stack and the end of RAM (the unit tests allocate; the
 * lock and key cores never do), exit through semihosting. No files, no processes. */
#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <stdint.h>
#include <sys/stat.h>

#include "board.h"

extern uint8_t end, __heap_limit;

int _write(int fd, const char *p, int n);
int _read(int fd, char *p, int n);
int _close(int fd);
int _open(const char *path, int flags, ...);
int posix_memalign(void **out, size_t align, size_t size);
int _fstat(int fd, struct stat *st);
int _isatty(int fd);
int _lseek(int fd, int off, int whence);
void *_sbrk(ptrdiff_t incr);
void _exit(int code);
int _kill(int pid, int sig);
int _getpid(void);

int _write(int fd, const char *p, int n)
{
    if (fd != 1 && fd != 2) {
        errno = EBADF;
        return -1;
    }
    char chunk[65];
    for (int i = 0; i < n;) {
        int k = 0;
        while (k < 64 && i < n)
            chunk[k++] = p[i++];
        chunk[k] = 0;
        pv_m4_puts(chunk); /* a NUL inside test output would cut the chunk short: none is printed */
    }
    return n;
}

int _read(int fd, char *p, int n)
{
    (void)fd, (void)p, (void)n;
    return 0;
}
/* No files: libsodium's /dev/urandom reader is linked into the test images but never used
 * (rng_sodium.c installs the random stand-in before sodium_init()). */
int _open(const char *path, int flags, ...)
{
    (void)path, (void)flags;
    errno = ENOSYS;
    return -1;
}

/* newlib's aligned_alloc() (the tests' key memory) needs it and newlib lacks it */
int posix_memalign(void **out, size_t align, size_t size)
{
    void *p = memalign(align, size);
    if (!p)
        return ENOMEM;
    *out = p;
    return 0;
}

int _close(int fd)
{
    (void)fd;
    return -1;
}
int _fstat(int fd, struct stat *st)
{
    (void)fd;
    st->st_mode = S_IFCHR;
    return 0;
}
int _isatty(int fd)
{
    return fd <= 2;
}
int _lseek(int fd, int off, int whence)
{
    (void)fd, (void)off, (void)whence;
    return 0;
}

void *_sbrk(ptrdiff_t incr)
{
    static uint8_t *brk = &end;
    if (incr < 0 || (size_t)incr > (size_t)(&__heap_limit - brk)) {
        errno = ENOMEM;
        return (void *)-1;
    }
    uint8_t *old = brk;
    brk += incr;
    return old;
}

void _exit(int code)
{
    pv_m4_exit(code);
}
int _kill(int pid, int sig)
{
    (void)pid, (void)sig;
    errno = EINVAL;
    return -1;
}
int _getpid(void)
{
    return 1;
}

/* A failed assert (libsodium keeps its own) or an abort ends the run with a line on the
 * console: newlib's versions would pull stdio and signals (about 6 KB) into every image. */
void __assert_func(const char *file, int line, const char *func, const char *expr);
void __assert_func(const char *file, int line, const char *func, const char *expr)
{
    (void)func;
    pv_m4_puts("assertion failed: ");
    pv_m4_puts(expr);
    pv_m4_puts(" at ");
    pv_m4_puts(file);
    pv_m4_put_u32(" line", (uint32_t)line);
    pv_m4_exit(134);
}
void abort(void)
{
    pv_m4_puts("abort\n");
    pv_m4_exit(134);
}
