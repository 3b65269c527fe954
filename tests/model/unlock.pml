/* A Promela model of the unlock exchange's session rules as the lock applies them
 * (lib/lock/door.c on_hello/on_present, lib/proto/unlock.c): one challenge allows one
 * PRESENT, M3 opens under k1 only in the session it was made for (k1 and k2 hash the
 * challenge's fresh nonce and the key's fresh ephemeral key), the challenge lifetime, and
 * the possession tag. The attacker on the radio records every PRESENT, replays any of
 * them into any later session or none, sends its own HELLOs, lets challenges run out and
 * forges tags. Checked exhaustively by spin (run_spin.sh); docs/model.md says what it
 * proves. Revocation and clock rules are rules.pml's.
 *
 * Cryptography is perfect: only the bearer's own key makes a valid tag, and an M3 carries
 * the nonce of the challenge it answered (abstracting h2).
 *
 * Knob: BREAK_NONCE  the lock ignores which challenge an M3 was made for (as if k1 did
 *                    not hash the transcript): spin must find the replay.
 */

#define MAXS 4      /* challenges the lock answers in one run */
#define NREC 2      /* PRESENTs the attacker keeps */

bool chal = false;  /* the lock's session: PV_LOCK_CHALLENGED */
bool late = false;  /* the challenge's 1.5 s have passed */
byte nonce = 0;     /* nonce of the open challenge; fresh nonces are distinct */

byte r_n[NREC];     /* recorded PRESENTs: the nonce each was made for (0: empty slot) */
bool r_tag[NREC];   /* whether its possession tag was made with the bearer's key */

bool opened[MAXS + 1]; /* ghost: challenges that opened the door */

/* on_present: n is the challenge the M3 answers, tag whether the bearer's key made it */
inline present(n, tag) {
    if
    :: !chal -> skip                      /* PV_E_STATE: no session, no answer */
    :: chal ->
        chal = false;                     /* one PRESENT per challenge, whatever it says */
        if
#ifndef BREAK_NONCE
        :: n != nonce -> skip             /* PV_E_DECRYPT: k1 belongs to another session */
#endif
        :: else ->
            if
            :: late -> skip               /* PV_E_CHALLENGE_EXPIRED */
            :: !late && !tag -> skip      /* PV_E_POSSESSION */
            :: !late && tag ->
                /* REPLAY: the door opens only for the bearer's own M3 made for this very
                 * challenge, and a challenge opens it at most once */
                assert(n == nonce && !opened[nonce]);
                opened[nonce] = true
            fi
        fi
    fi
}

active proctype radio()
{
    byte i;
end:
    do
    /* a HELLO from anyone: a fresh challenge; an open one is abandoned (a failure) */
    :: atomic { nonce < MAXS -> nonce++; chal = true; late = false }
    /* the challenge's lifetime runs out (a relay, a slow key) */
    :: atomic { chal && !late -> late = true }
    /* the genuine key answers the open challenge (the attacker records it, or not) */
    :: atomic { chal ->
        if
        :: i = 0
        :: i = 1
        :: i = NREC
        fi;
        if
        :: i < NREC -> r_n[i] = nonce; r_tag[i] = true
        :: else -> skip
        fi;
        i = 0;
        present(nonce, true) }
    /* the attacker answers with its own M3 and a forged tag */
    :: atomic { chal -> present(nonce, false) }
    /* the attacker replays a recorded M3 */
    :: atomic { r_n[0] != 0 -> present(r_n[0], r_tag[0]) }
    :: atomic { r_n[1] != 0 -> present(r_n[1], r_tag[1]) }
    od
}
