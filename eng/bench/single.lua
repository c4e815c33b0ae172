-- One binary-mode CloudEvent per request, 263 bytes of data (DESIGN §6 ingest path).
wrk.method = "POST"
wrk.body = string.rep("x", 263)
wrk.headers["Content-Type"] = "application/octet-stream"
wrk.headers["ce-specversion"] = "1.0"
wrk.headers["ce-id"] = "bench-1"
wrk.headers["ce-source"] = "/bench/wrk"
wrk.headers["ce-type"] = "bench.event"
