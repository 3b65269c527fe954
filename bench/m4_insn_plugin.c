/* QEMU TCG plugin for the Cortex-M4 cost figures: counts the guest instructions executed
 * inside "scope" functions (the lock's pv_lock_handle, the reference verify), split by the
 * outermost "category" function they run under (verify, X25519, Merkle, AEAD, flash, ...),
 * and writes one line per "mark" (a function the firmware calls between measured phases).
 *
 * Calls are followed with a shadow stack: a Thumb BL/BLX pushes its return address, and
 * reaching that address pops it, so a category covers everything its function calls.
 * Arguments: scope=HEX, cat=NAME:HEX (any number), mark=HEX, out=FILE (HEX = the function's
 * address from the firmware's symbol table). Output: "mark N total=T NAME=C ...". */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qemu-plugin.h>

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

#define MAX_ROOTS 64
#define MAX_CATS 16
#define MAX_DEPTH 4096

enum { ROOT_NONE, ROOT_SCOPE, ROOT_CAT, ROOT_MARK };

typedef struct root {
    uint64_t addr;
    int kind, cat;
} root;

typedef struct insn_info {
    uint64_t pc;
    uint32_t size;
    int is_call;
    const root *r;
} insn_info;

typedef struct frame {
    uint64_t ret;
    int cat;   /* 0 = none yet */
    int scope; /* counting */
} frame;

static root roots[MAX_ROOTS];
static int nroots;
static char cat_names[MAX_CATS][32] = {"other"};
static int ncats = 1;
static uint64_t counts[MAX_CATS];
static frame stack[MAX_DEPTH];
static int depth; /* stack[0] is the base frame */
static int marks;
static FILE *out;

static const root *find_root(uint64_t pc)
{
    for (int i = 0; i < nroots; i++)
        if (roots[i].addr == pc)
            return &roots[i];
    return NULL;
}

static void emit_mark(void)
{
    uint64_t total = 0;
    for (int i = 0; i < ncats; i++)
        total += counts[i];
    fprintf(out, "mark %d total=%" PRIu64, marks++, total);
    for (int i = 0; i < ncats; i++)
        fprintf(out, " %s=%" PRIu64, cat_names[i], counts[i]);
    fprintf(out, "\n");
    fflush(out);
    memset(counts, 0, sizeof counts);
}

static void on_exec(unsigned int vcpu, void *udata)
{
    const insn_info *in = udata;
    (void)vcpu;
    if (depth > 0 && in->pc == stack[depth].ret)
        depth--;
    frame *top = &stack[depth];
    if (in->r) {
        if (in->r->kind == ROOT_MARK)
            emit_mark();
        else if (in->r->kind == ROOT_SCOPE)
            top->scope = 1;
        else if (top->cat == 0) /* the outermost category keeps what it calls */
            top->cat = in->r->cat;
    }
    if (top->scope)
        counts[top->cat]++;
    if (in->is_call && depth + 1 < MAX_DEPTH) {
        stack[depth + 1] = (frame){.ret = in->pc + in->size, .cat = top->cat, .scope = top->scope};
        depth++;
    }
}

/* Thumb-2 BL / BLX (immediate): 11110x..., then 11x1 / 11x0; BLX register: 0100 0111 1xxx x000 */
static int thumb_call(const uint8_t *p, size_t size)
{
    uint16_t h1 = (uint16_t)(p[0] | p[1] << 8);
    if (size == 2)
        return (h1 & 0xFF87u) == 0x4780u;
    uint16_t h2 = (uint16_t)(p[2] | p[3] << 8);
    return (h1 & 0xF800u) == 0xF000u && (h2 & 0xC000u) == 0xC000u;
}

static void on_tb(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    (void)id;
    size_t n = qemu_plugin_tb_n_insns(tb);
    for (size_t i = 0; i < n; i++) {
        struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
        insn_info *in = calloc(1, sizeof *in); /* lives as long as the translation: leaked */
        if (!in)
            abort();
        in->pc = qemu_plugin_insn_vaddr(insn);
        in->size = (uint32_t)qemu_plugin_insn_size(insn);
        in->is_call = thumb_call(qemu_plugin_insn_data(insn), in->size);
        in->r = find_root(in->pc);
        qemu_plugin_register_vcpu_insn_exec_cb(insn, on_exec, QEMU_PLUGIN_CB_NO_REGS, in);
    }
}

static void at_exit_cb(qemu_plugin_id_t id, void *p)
{
    (void)id, (void)p;
    if (out && out != stderr)
        fclose(out);
}

static int add_root(const char *arg)
{
    if (nroots == MAX_ROOTS)
        return -1;
    root *r = &roots[nroots];
    const char *v = strchr(arg, '=') + 1;
    if (strncmp(arg, "cat=", 4) == 0) {
        const char *colon = strrchr(v, ':');
        if (!colon || colon - v >= 31)
            return -1;
        int c = 1;
        while (c < ncats && strncmp(cat_names[c], v, (size_t)(colon - v)) != 0)
            c++;
        if (c == ncats) {
            if (ncats == MAX_CATS)
                return -1;
            memcpy(cat_names[ncats], v, (size_t)(colon - v));
            ncats++;
        }
        r->kind = ROOT_CAT;
        r->cat = c;
        v = colon + 1;
    } else {
        r->kind = strncmp(arg, "scope=", 6) == 0 ? ROOT_SCOPE : ROOT_MARK;
    }
    r->addr = strtoull(v, NULL, 16);
    nroots++;
    return 0;
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
                                           int argc, char **argv)
{
    (void)info;
    out = stderr;
    for (int i = 0; i < argc; i++) {
        if (strncmp(argv[i], "out=", 4) == 0) {
            out = fopen(argv[i] + 4, "w");
            if (!out)
                return -1;
        } else if ((strncmp(argv[i], "scope=", 6) == 0 || strncmp(argv[i], "cat=", 4) == 0 ||
                    strncmp(argv[i], "mark=", 5) == 0) &&
                   add_root(argv[i]) == 0) {
            continue;
        } else {
            fprintf(stderr, "m4_insn_plugin: bad argument '%s'\n", argv[i]);
            return -1;
        }
    }
    qemu_plugin_register_vcpu_tb_trans_cb(id, on_tb);
    qemu_plugin_register_atexit_cb(id, at_exit_cb, NULL);
    return 0;
}
