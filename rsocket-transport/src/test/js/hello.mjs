// The snippet of docs/interop-js.md ("Using the node from JavaScript"), run by JsInteropTest:
//   node hello.mjs <tcp port>
import { RSocketConnector } from "rsocket-core";
import { TcpClientTransport } from "rsocket-tcp-client";
import {
  WellKnownMimeType,
  decodeCompositeMetadata,
  encodeCompositeMetadata,
  encodeRoute,
} from "rsocket-composite-metadata";

const FIELDS = "application/vnd.daak.fields+json";
const port = Number(process.argv[2] ?? 7878);

/** Composite metadata: the route, plus the Daak fields (a JSON object) when there are any. */
function metadata(route, fields) {
  const entries = [[WellKnownMimeType.MESSAGE_RSOCKET_ROUTING, encodeRoute(route)]];
  if (fields) {
    entries.push([FIELDS, Buffer.from(JSON.stringify(fields))]);
  }
  return encodeCompositeMetadata(entries);
}

/** The Daak fields of a delivered message: name, seq, ts, headers, ... */
function fieldsOf(payload) {
  for (const entry of decodeCompositeMetadata(payload.metadata ?? Buffer.alloc(0))) {
    if ((entry.mimeType ?? entry.type) === FIELDS) {
      return JSON.parse(entry.content.toString("utf8"));
    }
  }
  return {};
}

/** Request-response as a promise: the answer, or null when the node completes empty. */
function requestResponse(rsocket, route, value) {
  const data = value === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(value));
  return new Promise((resolve, reject) =>
    rsocket.requestResponse(
      { data, metadata: metadata(route) },
      {
        onNext: (payload) => resolve(payload.data?.length ? payload.data.toString("utf8") : ""),
        onComplete: () => resolve(null),
        onError: reject,
        onExtension: () => {},
      },
    ),
  );
}

const rsocket = await new RSocketConnector({
  setup: { metadataMimeType: "message/x.rsocket.composite-metadata.v0", dataMimeType: "application/json" },
  transport: new TcpClientTransport({ connectionOptions: { host: "127.0.0.1", port } }),
}).connect();

// Subscribe: request-stream; request(n) is the demand, here 2 messages.
const received = new Promise((resolve, reject) => {
  const messages = [];
  rsocket.requestStream({ data: Buffer.alloc(0), metadata: metadata("subscribe/sensors/a") }, 2, {
    onNext: (payload) => {
      messages.push({ value: JSON.parse(payload.data.toString("utf8")), fields: fieldsOf(payload) });
      if (messages.length === 2) resolve(messages);
    },
    onComplete: () => resolve(messages),
    onError: reject,
    onExtension: () => {},
  });
});

// Publish: request-response; the answer is JSON {"topic","sequence","matched","dropped"}.
console.log(await requestResponse(rsocket, "publish/sensors/a", { celsius: 21.5 }));
console.log(await requestResponse(rsocket, "publish/sensors/a", { celsius: 22.0 }));
for (const m of await received) console.log("received", m.value, m.fields);

// Key/value: put answers {"revision":n}; get of a missing key completes empty (null here).
console.log(await requestResponse(rsocket, "put/config/mode", "eco"));
console.log(await requestResponse(rsocket, "get/config/mode"), await requestResponse(rsocket, "get/config/none"));

// Request/reply to a service some client serves; errors are error frames "[kind] message".
console.log(await requestResponse(rsocket, "request/text/upper", "hello"));
await requestResponse(rsocket, "request/text/nobody", "hello").catch((e) => console.log(e.message));

rsocket.close();
