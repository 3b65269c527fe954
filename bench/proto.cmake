# lib/proto benchmarks: Ed25519 verify and sign, X25519, Merkle build and proof check.
pv_add_bench(proto ${CMAKE_CURRENT_LIST_DIR}/bench_proto.c LIBS pv_proto)
