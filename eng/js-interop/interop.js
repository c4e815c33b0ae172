// The official JavaScript CloudEvents SDK against a Vanus node, for tests/Vanus.Node.Tests/JsInteropTests.
//   node interop.js send URL binary|structured ID SUBJECT sdk|request
//                       emits one event with the SDK's emitter, over the SDK's own httpTransport ("sdk": it writes
//                       header values as ISO-8859-1 and refuses characters above U+00FF) or over Node's
//                       http.request(...).end(body) ("request": the headers go out as UTF-8); prints {status, body}
//   node interop.js receive                                 serves the SDK's receiver on 127.0.0.1; prints "listening PORT",
//                                                           then one JSON line per event it reads
"use strict";
const http = require("http");
const { CloudEvent, HTTP, Mode, emitterFor, httpTransport } = require("cloudevents");

function send(url, mode, id, subject, via) {
  const event = new CloudEvent({ id, source: "/js-sdk", type: "js.interop", subject, datacontenttype: "application/json", data: { from: "js" } });
  const target = new URL(url);
  // The SDK's own emitter with a transport that also reports the status, which httpTransport does not.
  const transport = (message) => new Promise((resolve, reject) => {
    const request = http.request(target, { method: "POST", headers: message.headers }, (response) => {
      let body = "";
      response.setEncoding("utf-8");
      response.on("data", (chunk) => (body += chunk));
      response.on("end", () => resolve({ status: response.statusCode, body }));
    });
    request.on("error", reject);
    request.end(message.body);
  });
  // httpTransport answers the body only: a problem document carries its status, anything else was a success.
  const sdk = (message) => httpTransport(url)(message).then((response) => {
    let status = 200;
    try {
      status = JSON.parse(response.body).status ?? 200;
    } catch {
      // not JSON: a success without a body
    }
    return { status, body: response.body };
  });
  emitterFor(via === "sdk" ? sdk : transport, { mode: mode === "binary" ? Mode.BINARY : Mode.STRUCTURED })(event)
    .then((result) => console.log(JSON.stringify(result)))
    .catch((error) => console.log(JSON.stringify({ error: error.message })));
}

function receive() {
  const server = http.createServer((request, response) => {
    let body = "";
    request.setEncoding("utf-8");
    request.on("data", (chunk) => (body += chunk));
    request.on("end", () => {
      try {
        const received = HTTP.toEvent({ headers: request.headers, body });
        const events = Array.isArray(received) ? received : [received];
        for (const e of events) {
          console.log(JSON.stringify({ id: e.id, subject: e.subject, type: e.type, data: e.data, contentType: request.headers["content-type"] }));
        }
        response.writeHead(200).end();
      } catch (error) {
        console.log(JSON.stringify({ error: error.message }));
        response.writeHead(400).end();
      }
    });
  });
  server.listen(0, "127.0.0.1", () => console.log(`listening ${server.address().port}`));
  process.stdin.on("end", () => server.close(() => process.exit(0)));
  process.stdin.resume();
}

const [command, ...args] = process.argv.slice(2);
if (command === "send") {
  send(...args);
} else if (command === "receive") {
  receive();
} else {
  console.error("usage: node interop.js send URL binary|structured ID SUBJECT | receive");
  process.exit(2);
}
