# Turns the instruction plugin's marks (bench/m4_cost.sh) into the bench lines, and runs the
# battery model of docs/lock.md ("Battery") on the measured instructions. Marks: 1 = one
# reference verify, 2 = warm-up visit, 3 = first unlock of a new (shift) credential of a
# bearer key the lock knows, 4 = `repeats` more unlocks with it, 5 = first unlock of a
# bearer key new to the lock. With side=key the marks count the key's (a fob's) steps of
# the same unlocks (pv_key_unlock_start, pv_key_on_challenge, pv_key_on_result) instead.
function field(line, key,    n, i, kv) {
    n = split(line, kv, " ")
    for (i = 1; i <= n; i++)
        if (index(kv[i], key "=") == 1)
            return substr(kv[i], length(key) + 2) + 0
    return 0
}
function line_ref(name, v, unit, ref) {
    printf "{\"name\":\"%s\",\"value\":%d,\"unit\":\"%s\",\"reference\":%d,\"ratio\":%.4f}\n", name, v, unit, ref, v / ref
}
function line(name, v, unit) {
    printf "{\"name\":\"%s\",\"value\":%.6g,\"unit\":\"%s\"}\n", name, v, unit
}
# The key's lines: it keeps no cache, so its repeat costs what its first unlock does.
function key_lines(ref, first, rep,    cats, i) {
    line_ref("m4.key_unlock_instructions", first, "instructions", ref)
    split("verify x25519 merkle aead sign other", cats, " ")
    for (i = 1; i <= 6; i++)
        line("m4.key_unlock_instructions." cats[i], field(m[3], cats[i]), "instructions")
    line_ref("m4.key_unlock_repeat_instructions", rep, "instructions", ref)
    line("m4.key_unlock_ms_at_64mhz", first / 64e6 * 1000, "ms")
}
$1 == "mark" { m[$2 + 0] = $0 }
END {
    ref = field(m[1], "total")
    first = field(m[3], "total")
    rep = field(m[4], "total") / repeats
    cold = field(m[5], "total")
    if (ref <= 0 || first <= 0) { print "m4_cost: no marks from the plugin" > "/dev/stderr"; exit 1 }
    if (side == "key") { key_lines(ref, first, rep); exit }
    line_ref("m4.unlock_instructions", first, "instructions", ref)
    split("verify x25519 merkle aead flash sign other", cats, " ")
    for (i = 1; i <= 7; i++)
        line("m4.unlock_instructions." cats[i], field(m[3], cats[i]), "instructions")
    line_ref("m4.unlock_repeat_instructions", rep, "instructions", ref)
    line_ref("m4.unlock_new_bearer_instructions", cold, "instructions", ref)
    line("m4.unlock_new_bearer_instructions.x25519", field(m[5], "x25519"), "instructions")
    # The Årsta day's average: the lock cores' own counts of the day (portvakt-sim) priced
    # with this run's costs: a verify and an X25519 as in the first unlock, the rest of
    # the first unlock per decided attempt
    n = split(arsta, kv, " ")
    for (i = 1; i <= n; i++) { split(kv[i], p, ":"); day[p[1]] = p[2] + 0 }
    if (day["attempts"] > 0) {
        v1 = field(m[3], "verify"); x1 = field(m[3], "x25519")
        day_insn = day["verifies"] * v1 + day["x25519"] * x1 + day["attempts"] * (first - v1 - x1)
        line_ref("m4.arsta_day_unlock_instructions", day_insn / day["attempts"], "instructions", ref)
    }
    line("m4.unlock_ms_at_64mhz", first / 64e6 * 1000, "ms")  # CPI 1 assumed
    line("m4.unlock_repeat_ms_at_64mhz", rep / 64e6 * 1000, "ms")
    line("m4.flash_bytes", flash, "bytes")
    line("m4.ram_bytes", data + bss + stack, "bytes")
    line("m4.ram_stack_peak_bytes", stack, "bytes")
    line("m4.ram_reserved_bytes", data + bss + stack_reserved, "bytes")  # with the stack's margin

    # Battery model (docs/lock.md, "Battery"). SoC: nRF52840 Product Specification v1.7,
    # DC/DC at 3 V: CPU from flash with cache at 64 MHz 3.3 mA; radio TX 0 dBm 4.8 mA;
    # RX 1 Mbit/s 4.6 mA; System ON sleep with RTC and RAM retention 1.5 uA.
    V = 3.0; cpu_a = 0.0033; tx_a = 0.0048; rx_a = 0.0046; sleep_a = 0.0000015
    adv_s = 0.0015      # assumed: one connectable advertising event (3 channels) a second
    conn_tx_s = 0.010; conn_rx_s = 0.020  # assumed radio time of one unlock connection
    motor_j = 2 * 0.3 * 6.0 * 0.6  # assumed: open + relock, 0.3 A at 6 V for 0.6 s each
    # Battery: 4 x AA lithium (Energizer L91 datasheet: 3,500 mAh, 1.5 V), 80 % usable
    battery_j = 4 * 1.5 * 3.5 * 3600 * 0.8
    # Traffic: 6 care visits (each the first unlock of a shift credential) and 4 uses of
    # the resident's own key (1 first + 3 repeats) a day; every first unlock priced as a
    # bearer key new to the lock (the dearer case: a known key saves one X25519)
    firsts = 7; repeats_day = 3; unlocks = firsts + repeats_day
    cpu_j = (firsts * cold + repeats_day * rep) / 64e6 * cpu_a * V
    radio_j = unlocks * (conn_tx_s * tx_a + conn_rx_s * rx_a) * V
    idle_j = 86400 * (sleep_a * V + adv_s * tx_a * V)
    day_j = cpu_j + radio_j + unlocks * motor_j + idle_j
    line("lock.unlock_energy_mj", (cold / 64e6 * cpu_a * V + (conn_tx_s * tx_a + conn_rx_s * rx_a) * V + motor_j) * 1000, "mJ")
    line("lock.unlock_cpu_energy_mj", cold / 64e6 * cpu_a * V * 1000, "mJ")
    line("lock.battery_years", battery_j / day_j / 365, "years")
}
