# District simulator benchmarks: nothing extra to build (portvakt-sim, portvakt-station and
# portvakt-server are); bench/sim_city.sh prints sim.city_shift_start_s (7,000 keys synced
# through stations over HTTPS) and sim.revocation_p95_h (city scenario) for `make bench`.
