# Station decoders: the local key link's frame payloads and the durable queue's files.
if(TARGET pvst_core)
  pv_add_fuzzer(station_frame pvst_core)
  pv_add_fuzzer(station_queue pvst_core)
endif()
