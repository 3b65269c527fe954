# Domain tests (rights, provider changes, consents, sync issuing, ingestion). Included from
# tests/server/CMakeLists.txt. Unit tests of the pure rules link only what they prove.
set(pvs_domain_dir ${PROJECT_SOURCE_DIR}/server)

add_executable(test_domain_rights test_domain_rights.c ${pvs_domain_dir}/rules/calendar.c
               ${pvs_domain_dir}/rules/rights.c)
target_include_directories(test_domain_rights PRIVATE ${pvs_domain_dir}/rules)
target_link_libraries(test_domain_rights PRIVATE pv_proto)
add_test(NAME server_domain_rights COMMAND test_domain_rights)

add_executable(test_domain_rules test_domain_rules.c ${pvs_domain_dir}/rules/calendar.c
               ${pvs_domain_dir}/rules/rights.c ${pvs_domain_dir}/rules/provider_change.c
               ${pvs_domain_dir}/rules/revlist.c ${pvs_domain_dir}/rules/gaps.c
               ${pvs_domain_dir}/rules/consent.c)
target_include_directories(test_domain_rules PRIVATE ${pvs_domain_dir}/rules)
target_link_libraries(test_domain_rules PRIVATE pv_proto)
add_test(NAME server_domain_rules COMMAND test_domain_rules)

# Store-level tests: the real SQLite store, migrated, through pvs_core.
foreach(t test_sync_issue test_sync_service test_ingest_store test_care_import)
  add_executable(${t} ${t}.c domain_fixture.c pg_fresh.c)
  target_link_libraries(${t} PRIVATE pvs_core)
  add_test(NAME server_${t} COMMAND ${t})
  if(PVS_TEST_PG_HTTP) # the same tests on a throwaway PostgreSQL server
    add_test(NAME server_${t}_pg COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/with_postgres.sh $<TARGET_FILE:${t}>)
    set_tests_properties(server_${t}_pg PROPERTIES ENVIRONMENT PVS_TEST_BACKEND=postgresql
                         SKIP_RETURN_CODE 77 TIMEOUT 300)
  endif()
endforeach()

# Over HTTP against the real daemon: provider change end to end, sync refusals, lost key,
# idempotent upload with gaps, hostile input.
# Two instances on one database behind HAProxy: shared sessions and challenges, and a
# revocation raced against syncs through the balancer.
if(COMMAND pvs_server_http_test)
  pvs_server_http_test(test_sync_http)
  pvs_server_http_test(test_phone_http) # the phone key's double login and alarm access
  # the phone's push by long poll: only its own change wakes it, bounded per address
  pvs_server_http_test(test_push_http push_fixture.c domain_fixture.c)
  # the resident's view: consent, passages of one recipient only, revocation, rate limit
  pvs_server_http_test(test_resident)
  pvs_server_http_test(test_audit_privacy) # sealed audit values, erasure (crypto-shredding)
  pvs_server_http_test(test_instances)
  # outgoing events: a failing, killed receiver and a SIGKILLed server lose nothing
  pvs_server_http_test(test_webhooks)
  # the care-planning import over HTTP and from the command line
  pvs_server_http_test(test_import_http)
  # log ingestion under repeated kill -9: nothing acknowledged lost, nothing stored twice
  pvs_server_http_test(test_ingest_kill)
endif()

# The personal-identity-number rule every free-text member of a request body passes.
add_executable(test_rules_pnr test_rules_pnr.c ${pvs_domain_dir}/rules/pnr.c)
target_include_directories(test_rules_pnr PRIVATE ${pvs_domain_dir}/rules)
add_test(NAME server_rules_pnr COMMAND test_rules_pnr)
