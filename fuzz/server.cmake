# portvakt-server decoders: the strict JSON body checker, the route matcher and the config
# file parser. Registered only when the server area is built.
if(TARGET pvs_core)
  pv_add_fuzzer(server_json pvs_core)
  pv_add_fuzzer(server_config pvs_core)
  pv_add_fuzzer(server_route pvs_core)
  pv_add_fuzzer(webauthn pvs_core)
  pv_add_fuzzer(oidc pvs_core)
  pv_add_fuzzer(vault pvs_core) # the vault key file and sealed values
endif()
