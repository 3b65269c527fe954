# The key's (a fob's) side of the same unlocks on the Cortex-M4 (bench/m4_cost.sh, second
# run, counting inside pv_key_unlock_start / pv_key_on_challenge / pv_key_on_result). Marks
# as in m4_cost.awk: 1 = reference verify, 3 = first unlock of a new credential, 4 =
# `repeats` repeat unlocks, 5 = first unlock of a new bearer key.
function field(line, key,    n, i, kv) {
    n = split(line, kv, " ")
    for (i = 1; i <= n; i++)
        if (index(kv[i], key "=") == 1)
            return substr(kv[i], length(key) + 2) + 0
    return 0
}
$1 == "mark" { m[$2 + 0] = $0 }
END {
    ref = field(m[1], "total")
    first = field(m[3], "total")
    if (ref <= 0 || first <= 0) { print "m4_key_cost: no marks from the plugin" > "/dev/stderr"; exit 1 }
    printf "{\"name\":\"m4.key_unlock_instructions\",\"value\":%d,\"unit\":\"instructions\",\"reference\":%d,\"ratio\":%.4f}\n", first, ref, first / ref
    split("verify x25519 merkle aead sign other", cats, " ")
    for (i = 1; i <= 6; i++)
        printf "{\"name\":\"m4.key_unlock_instructions.%s\",\"value\":%d,\"unit\":\"instructions\"}\n", cats[i], field(m[3], cats[i])
    rep = field(m[4], "total") / repeats
    printf "{\"name\":\"m4.key_unlock_repeat_instructions\",\"value\":%d,\"unit\":\"instructions\",\"reference\":%d,\"ratio\":%.4f}\n", rep, ref, rep / ref
    printf "{\"name\":\"m4.key_unlock_ms_at_64mhz\",\"value\":%.4g,\"unit\":\"ms\"}\n", first / 64e6 * 1000
}
