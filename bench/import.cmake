# The care-planning import: 4,000 provider changes against the same written directly
# (bench_import.c).
if(TARGET pvs_core)
  pv_add_bench(import ${CMAKE_CURRENT_SOURCE_DIR}/bench_import.c
               ${PROJECT_SOURCE_DIR}/tests/server/domain_fixture.c
               ${PROJECT_SOURCE_DIR}/tests/server/pg_fresh.c LIBS pvs_core)
endif()
