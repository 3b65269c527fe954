# Server benchmarks (issuing, ingestion, sync latency over HTTP). See bench/bench_sync.c.
if(TARGET pvs_core)
  pv_add_bench(sync ${CMAKE_CURRENT_SOURCE_DIR}/bench_sync.c
               ${PROJECT_SOURCE_DIR}/tests/server/domain_fixture.c
               ${PROJECT_SOURCE_DIR}/tests/server/pg_fresh.c LIBS pvs_core)
endif()
if(TARGET pvs_testkit AND TARGET portvakt-server)
  pv_add_bench(sync_http ${CMAKE_CURRENT_SOURCE_DIR}/bench_sync_http.c
               ${PROJECT_SOURCE_DIR}/tests/server/domain_fixture.c LIBS pvs_testkit)
  target_compile_definitions(bench_sync_http PRIVATE
                             PVS_SERVER_EXE="$<TARGET_FILE:portvakt-server>")
  add_dependencies(bench_sync_http portvakt-server)
endif()
# phone.push_ms_p99 and phone.connections_held: the phone's long poll (bench/bench_push.c)
if(TARGET pvs_testkit AND TARGET portvakt-server AND PVS_WITH_DOMAIN)
  pv_add_bench(push ${CMAKE_CURRENT_SOURCE_DIR}/bench_push.c
               ${PROJECT_SOURCE_DIR}/tests/server/push_fixture.c
               ${PROJECT_SOURCE_DIR}/tests/server/domain_fixture.c LIBS pvs_testkit)
  target_compile_definitions(bench_push PRIVATE PVS_SERVER_EXE="$<TARGET_FILE:portvakt-server>")
  add_dependencies(bench_push portvakt-server)
endif()
