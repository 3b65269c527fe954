/* State names for logs (pv_lock_state_name, pv_key_state_name): every state has its own
 * name; an unknown state is a programmer error that traps through PV_ASSERT in debug
 * builds and still answers "unknown" in NDEBUG builds. */
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kit.h"


/* 1 if asking for the name of state 99 returned "unknown", 0 if the child was stopped. */
static int unknown_answers(int key)
{
    pid_t pid = fork();
    if (pid == 0) {
        const char *n = key ? pv_key_state_name((pv_key_state)99)
                            : pv_lock_state_name((pv_lock_state)99);
        _exit(strcmp(n, "unknown") == 0 ? 0 : 2);
    }
    int st = 0;
    if (pid < 0 || waitpid(pid, &st, 0) != pid)
        return -1;
    return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

int main(void)
{
    CHECK(strcmp(pv_lock_state_name(PV_LOCK_UNCOMMISSIONED), "uncommissioned") == 0);
    CHECK(strcmp(pv_lock_state_name(PV_LOCK_IDLE), "idle") == 0);
    CHECK(strcmp(pv_lock_state_name(PV_LOCK_CHALLENGED), "challenged") == 0);
    CHECK(strcmp(pv_key_state_name(PV_KEY_EMPTY), "empty") == 0);
    CHECK(strcmp(pv_key_state_name(PV_KEY_READY), "ready") == 0);
    CHECK(strcmp(pv_key_state_name(PV_KEY_HELLO_SENT), "hello-sent") == 0);
    CHECK(strcmp(pv_key_state_name(PV_KEY_PRESENTED), "presented") == 0);
#ifdef NDEBUG
    const int want = 1;
#else
    const int want = 0;
#endif
    CHECK_EQ(unknown_answers(0), want);
    CHECK_EQ(unknown_answers(1), want);
    return kit_failures ? 1 : 0;
}
