/* A Promela model of the lock's revocation-list rule and clock rules (lib/lock/clock.c,
 * clock_resume in lib/lock/lock.c, the window and revocation checks of lib/lock/door.c and
 * its credential time witness: credential_now, clock_from_credential),
 * with the issuer's pruning rule (server/services/revlist_store.c), a thief who holds a key
 * before it is reported lost (the bearer X), any key delivering any list or beacon the issuer ever signed
 * (signed objects are public, so a recorded old one is always at hand), a lock tick that
 * drifts, and power cuts. Checked exhaustively by spin (run_spin.sh); docs/model.md says
 * what it proves. Session binding and replay are unlock.pml's.
 *
 * Time is abstract: one unit stands for "more than the tolerance"; only the order of the
 * constants matters (TOL < REFILL, MAXLIFE the 48 h credential limit). Signatures are
 * perfect: a forged credential, list or beacon is refused before it changes any state
 * (the lock checks every signature before it stores anything), so forgeries appear here
 * only as a credential the issuer never signed.
 *
 * Knobs (-D on the spin command line), each breaking one rule on purpose:
 *   BREAK_STALE   the lock takes a revocation list that is not newer than the one it holds
 *   BREAK_BUDGET  a beacon steps the clock back without the 300 s budget
 *   POWER_CUTS=n  power cuts in one run (default 1)
 *   BREAK_LIST_WITNESS  the lock ignores a taken list's signed issue time (the rule
 *                 before the pruned-list gap was closed)
 *   PRUNE_MARGIN  units the issuer keeps an entry beyond revoked_at + 48 h (default 0:
 *                 today's server)
 *
 * The back-step budget is over-approximated: TOL again REFILL units after it was spent or
 * after a forward beacon, where lib/lock grows it at 200 ppm of the clock (17 s a day) and
 * empties it on a forward jump; every back-step the lock makes, the model can make.
 */

#define TOL      1   /* PV_LOCK_CLOCK_BACK_TOL_S (300 s) */
#define REFILL   3   /* PV_LOCK_CLOCK_BACK_REFILL_S (a day) */
#define FUTURE   3   /* PV_LOCK_CLOCK_FUTURE_S (7 days) */
#define MAXLIFE  2   /* PV_CRED_MAX_LIFETIME_S (48 h): not_after <= issued_at + MAXLIFE */
#ifndef MAXT
#define MAXT     5   /* real-time horizon of one run */
#endif
#ifndef MAXV
#define MAXV     3   /* revocation-list versions the issuer signs in one run */
#endif
#define MAXC     2   /* credentials the issuer signs in one run */
#ifndef MAXDRIFT
#define MAXDRIFT 1   /* units the lock's tick may run fast, and slow, in one run */
#endif
#define OFF_MAX  2   /* units of real time a power cut lasts at most */
#ifndef POWER_CUTS
#define POWER_CUTS 1
#endif
#ifndef PRUNE_MARGIN
#define PRUNE_MARGIN 0
#endif

#define NOCRED 255   /* a credential the issuer never signed */

/* the world and the issuer */
byte rt = 1;                    /* real time */
byte fast = 0, slow = 0, cuts = 0;
byte ncred = 0;
byte c_iss[MAXC], c_na[MAXC];  /* X's credentials: issued_at (= not_before), not_after */
bool lost = false;              /* X's key reported lost at R: no more credentials for X */
byte R = 0;
byte nlist = 0;
bool l_names[MAXV + 1];         /* list version v names X (revoked_at R) */
byte l_iat[MAXV + 1];           /* list version v's signed issued_at */

/* the lock: revocation state and clock (what lock_issuer and pv_lock hold) */
byte hv = 0;                    /* revlist_version held */
bool h_names = false;           /* the held list names X */
byte bt = 0;                    /* beacon_time of the last accepted beacon */
byte lc = 1;                    /* the lock's clock */
bool valid = true;              /* clock_valid */
byte budget = TOL, refill_at = 1 + REFILL;
byte now = 0;                   /* the time a PRESENT is judged at (credential_now) */

/* ghosts for the properties */
byte maxlc = 1;                 /* highest clock shown since boot */
bool rev_reached = false;       /* a list naming X has reached the lock */

inline clock_seen() {
    /* CLOCK: between power cuts the clock never falls more than TOL below the highest
     * time it showed, and never below the newest beacon it accepted */
    assert(lc + TOL >= maxlc);
    assert(lc >= bt);
    if
    :: lc > maxlc -> maxlc = lc
    :: else -> skip
    fi
}

inline step_back(target) {
    if
    :: lc >= refill_at -> budget = TOL; refill_at = lc + REFILL
    :: else -> skip
    fi;
#ifdef BREAK_BUDGET
    lc = target;
#else
    if
    :: lc - target <= budget -> budget = budget - (lc - target); lc = target
    :: else -> lc = lc - budget; budget = 0
    fi;
#endif
}

/* lock_apply_beacon for a beacon the issuer signed at time b (0: none carried) */
inline apply_beacon(b) {
    if
    :: b == 0 || b <= bt -> skip                      /* PV_E_STALE, no verify */
    :: b > bt && valid && b > lc + FUTURE -> skip     /* PV_E_CLOCK_FUTURE, TAMPER */
    :: b > bt && !(valid && b > lc + FUTURE) ->
        bt = b;
        if
        :: b > lc -> lc = b; budget = TOL; refill_at = b + REFILL
        :: b < lc -> step_back(b)
        :: b == lc -> skip
        fi;
        valid = true
    fi
}

/* lock_apply_revlist for list version v (0: none carried): only newer lists, none issued
 * further ahead than a beacon may jump; the list's issue time moves the clock up
 * (list_time_witness) */
inline apply_revlist(v) {
    if
    :: v == 0 -> skip
#ifdef BREAK_STALE
    :: v > 0 && v != hv && valid && l_iat[v] > lc + FUTURE -> skip
    :: v > 0 && v != hv && !(valid && l_iat[v] > lc + FUTURE) ->
#else
    :: v > 0 && v > hv && valid && l_iat[v] > lc + FUTURE -> skip   /* PV_E_CLOCK_FUTURE */
    :: v > 0 && v > hv && !(valid && l_iat[v] > lc + FUTURE) ->
#endif
        hv = v; h_names = l_names[v];
        if
        :: h_names -> rev_reached = true
        :: else -> skip
        fi;
#ifndef BREAK_LIST_WITNESS
        if
        :: l_iat[v] > lc -> lc = l_iat[v]
        :: else -> skip
        fi
#endif
    :: else -> skip                                   /* PV_E_STALE */
    fi
}

/* One PRESENT that reached the checks after the session's (unlock.pml): updates first,
 * then the window, the revocation, the signature. Possession is not modelled: X's owner
 * and the thief both hold X's key. Any other key (or a forged credential, NOCRED) only
 * carries updates here: its own opens are the same rules for another bearer. */
inline present(c, v, b) {
    apply_revlist(v);
    apply_beacon(b);
    clock_seen();
    /* credential_now(): the held list's and the credential's signed issue times are
     * lower bounds of the time (the credential's unless further ahead than a beacon may
     * jump; the list's was checked when it was taken) */
    now = lc;
#ifndef BREAK_LIST_WITNESS
    if
    :: hv > 0 && l_iat[hv] > now -> now = l_iat[hv]
    :: else -> skip
    fi;
#endif
    if
    :: c != NOCRED && c_iss[c] > now && !(valid && c_iss[c] > now + FUTURE) -> now = c_iss[c]
    :: else -> skip
    fi;
    if
    :: c == NOCRED -> skip                                         /* PV_E_SIGNATURE */
    :: c != NOCRED && (now < c_iss[c] || now >= c_na[c]) -> skip    /* window */
    :: c != NOCRED && now >= c_iss[c] && now < c_na[c] &&
       h_names && c_iss[c] <= R -> skip        /* PV_E_REVOKED */
    :: c != NOCRED && now >= c_iss[c] && now < c_na[c] &&
       !(h_names && c_iss[c] <= R) ->
        /* the signature checked: clock_from_credential() moves the clock up */
        lc = now;
        clock_seen();
        /* opens. REVOKED: nothing the list revoked opens once it reached the lock */
        assert(!(rev_reached && c_iss[c] <= R));
        /* EXPIRED: nothing opens once the clock (since boot) showed its expiry plus
         * the tolerance */
        assert(maxlc < c_na[c] + TOL)
    fi;
    now = 0
}

active proctype world()
{
    byte c, v, b, d;
end:
    do
    /* time passes; the lock's tick with it, or drifting fast or slow */
    :: atomic { rt < MAXT -> rt++; lc++; clock_seen() }
    :: atomic { rt < MAXT && fast < MAXDRIFT -> fast++; lc++; clock_seen() }
    :: atomic { rt < MAXT && slow < MAXDRIFT -> slow++; rt++ }
    /* the issuer signs a credential for a shift (never to a key reported lost):
     * issued now, valid from now, for one unit or the 48 h limit */
    :: atomic { ncred < MAXC && !lost ->
        c_iss[ncred] = rt;
        if
        :: c_na[ncred] = rt + 1
        :: c_na[ncred] = rt + MAXLIFE
        fi;
        ncred++ }
    /* X's key (in a thief's hands) is reported lost */
    :: atomic { !lost -> lost = true; R = rt }
    /* the issuer signs the next list; an entry is dropped once revoked_at + 48 h passed */
    :: atomic { nlist < MAXV ->
        nlist++;
        l_names[nlist] = (lost && rt < R + MAXLIFE + PRUNE_MARGIN);
        l_iat[nlist] = rt }
    /* a power cut: the lock is off for up to OFF_MAX units, then resumes its clock from
     * the latest time it can prove it saw (clock_resume) */
    :: atomic { cuts < POWER_CUTS ->
        cuts++;
        d = 0;
        do
        :: d < OFF_MAX && rt < MAXT -> d++; rt++
        :: break
        od;
        /* the real lock resumes at max(saved clock, newest event, beacons); the model
         * resumes at the newest beacon only: more lag, so more behaviours checked */
        if :: bt > 1 -> lc = bt :: else -> lc = 1 fi;
        valid = false; budget = TOL; refill_at = lc + REFILL;
        maxlc = lc;
        d = 0 }
    /* a key at the door: any credential the issuer signed (or a forged one), any list
     * version the issuer signed, no beacon or a fresh or an older signed one */
    :: atomic {
        if
        :: c = NOCRED
        :: ncred > 0 -> c = 0
        :: ncred > 1 -> c = 1
        fi;
        v = 0;
        do
        :: v < nlist -> v++
        :: break
        od;
        if
        :: b = 0
        :: b = rt
        :: rt > 1 -> b = rt - 1
        fi;
        present(c, v, b);
        c = 0; v = 0; b = 0 }
    od
}
