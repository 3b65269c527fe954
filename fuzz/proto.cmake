# lib/proto's libFuzzer drivers: one per decoder (corpus in corpus/<name>/, seeded by
# tests/vectors/gen_vectors --corpus). pv_proto_internal exposes the inner-payload codecs.
set(pv_proto_fuzz_libs pv_proto_internal)
if(PV_FUZZ)
  # lib/ is configured before this directory's -fsanitize=fuzzer-no-link applies, so
  # pv_proto itself has no coverage hooks; build a copy of it here that has them, so
  # libFuzzer can see the decoders' branches and not only the drivers'.
  file(GLOB pv_proto_fuzz_src ${PROJECT_SOURCE_DIR}/lib/proto/*.c)
  add_library(pv_proto_cov STATIC ${pv_proto_fuzz_src})
  target_include_directories(pv_proto_cov PUBLIC ${PROJECT_SOURCE_DIR}/include
                                                 ${PROJECT_SOURCE_DIR}/lib/proto)
  target_link_libraries(pv_proto_cov PUBLIC PkgConfig::SODIUM)
  set(pv_proto_fuzz_libs pv_proto_cov)
endif()
foreach(name cred revlist beacon logbatch event entry hello challenge present_inner
             result_inner merkle_verify lock_present key_result pkcode)
  pv_add_fuzzer(${name} ${pv_proto_fuzz_libs})
endforeach()
