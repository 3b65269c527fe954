# pv-ws-bridge's decoders of browser input: WebSocket frames and the opening handshake.
if(TARGET pv_ws)
  pv_add_fuzzer(ws_frame pv_ws)
  pv_add_fuzzer(ws_handshake pv_ws)
endif()
