# Security-key sign-in: one WebAuthn assertion checked with libfido2 (bench_webauthn.c).
if(TARGET pvs_wa_soft)
  pv_add_bench(webauthn ${CMAKE_CURRENT_SOURCE_DIR}/bench_webauthn.c LIBS pvs_wa_soft)
endif()
