# The lock core's libFuzzer driver (corpus in corpus/lock_door/, seeded by
# tests/unit/lock/gen_lock_corpus). In fuzz builds the lock, key and sim sources are
# compiled here again so libFuzzer sees their branches (lib/ and port/ have no hooks).
set(pv_lock_fuzz_libs pv_sim)
if(PV_FUZZ)
  file(GLOB pv_door_cov_src ${PROJECT_SOURCE_DIR}/lib/lock/*.c ${PROJECT_SOURCE_DIR}/lib/key/*.c
                            ${PROJECT_SOURCE_DIR}/port/sim/clock.c ${PROJECT_SOURCE_DIR}/port/sim/flash.c
                            ${PROJECT_SOURCE_DIR}/port/sim/radio.c ${PROJECT_SOURCE_DIR}/port/sim/sim.c
                            ${PROJECT_SOURCE_DIR}/port/posix/radio.c) # the sim's socket framing
  add_library(pv_door_cov STATIC ${pv_door_cov_src})
  target_include_directories(pv_door_cov PUBLIC ${PROJECT_SOURCE_DIR}/include)
  if(TARGET pv_proto_cov)
    target_link_libraries(pv_door_cov PUBLIC pv_proto_cov PkgConfig::SODIUM)
  else()
    target_link_libraries(pv_door_cov PUBLIC pv_proto PkgConfig::SODIUM)
  endif()
  set(pv_lock_fuzz_libs pv_door_cov)
endif()
pv_add_fuzzer(lock_door ${pv_lock_fuzz_libs})
