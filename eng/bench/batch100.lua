-- A batch-mode request of 100 CloudEvents, 263 bytes of data each.
local events = {}
local data = string.rep("x", 263)
for i = 1, 100 do
  events[i] = string.format('{"specversion":"1.0","id":"bench-%d","source":"/bench/wrk","type":"bench.event","datacontenttype":"text/plain","data":"%s"}', i, data)
end
wrk.method = "POST"
wrk.body = "[" .. table.concat(events, ",") .. "]"
wrk.headers["Content-Type"] = "application/cloudevents-batch+json"
