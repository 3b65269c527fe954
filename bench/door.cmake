# The door: lock-side cost per unlock against an Ed25519 verify, radio bytes, bearer memory.
pv_add_bench(unlock ${CMAKE_CURRENT_SOURCE_DIR}/bench_unlock.c ${CMAKE_CURRENT_SOURCE_DIR}/door_kit.c LIBS pv_sim pv_lock pv_key pv_proto)
