// Interop checks of a Daak node driven by a third-party RSocket client (rsocket-js).
//
//   node interop.mjs tcp <port> [host]      e.g. node interop.mjs tcp 7878
//   node interop.mjs ws <url>               e.g. node interop.mjs ws ws://localhost:7879/
//
// JsInteropTest runs it against a node where a Java client already
//   - subscribes to interop/js/** and interop/text/js (it asserts what this script publishes there),
//   - publishes interop/java/readings 1..3 (retained) and interop/java/status "starting", "running",
//   - put interop/kv/java, and serves text/upper (upper-cases a string);
// and reacts to what this script publishes:
//   - interop/js/ready: publishes 2 values to interop/java/live,
//   - interop/js/served: calls the service js/echo this script serves (request-response, then
//     request-stream) and publishes what it got to interop/java/answers,
//   - interop/js/unserved: calls js/echo again and publishes "no-responders" if nothing serves it.
// Prints one line per check ("ok ..." or "FAIL ...") and exits 1 when any check failed.

import { RSocketConnector } from "rsocket-core";
import { TcpClientTransport } from "rsocket-tcp-client";
import { WebsocketClientTransport } from "rsocket-websocket-client";
import {
  WellKnownMimeType,
  decodeCompositeMetadata,
  encodeCompositeMetadata,
  encodeRoute,
} from "rsocket-composite-metadata";
import WebSocket from "ws";

const COMPOSITE = "message/x.rsocket.composite-metadata.v0";
const JSON_MIME = "application/json";
const FIELDS = "application/vnd.daak.fields+json";
const TIMEOUT_MS = 10_000;

// ------------------------------------------------------------------ the wire contract in a few lines

/** Composite metadata: the route, plus the Daak fields (a JSON object) when there are any. */
function metadata(route, fields) {
  const entries = [[WellKnownMimeType.MESSAGE_RSOCKET_ROUTING, encodeRoute(route)]];
  if (fields) {
    entries.push([FIELDS, Buffer.from(JSON.stringify(fields))]);
  }
  return encodeCompositeMetadata(entries);
}

function json(value) {
  return Buffer.from(JSON.stringify(value));
}

/** Reads a response's composite metadata: the Daak fields and the data MIME type when not SETUP's. */
function readMetadata(buffer) {
  const out = { fields: {}, mime: JSON_MIME };
  if (!buffer || buffer.length === 0) {
    return out;
  }
  for (const entry of decodeCompositeMetadata(buffer)) {
    const type = entry.mimeType ?? entry.type;
    if (type === FIELDS) {
      out.fields = JSON.parse(entry.content.toString("utf8"));
    } else if (type === WellKnownMimeType.MESSAGE_RSOCKET_MIMETYPE.string) {
      out.mime = mimeEntry(entry.content);
    }
  }
  return out;
}

/** The content of a message/x.rsocket.mime-type.v0 entry: a well-known id or a length-prefixed name. */
function mimeEntry(content) {
  const head = content[0];
  if (head & 0x80) {
    return WellKnownMimeType.fromIdentifier(head & 0x7f).string;
  }
  return content.toString("ascii", 1, 1 + head + 1);
}

function decoded(payload) {
  const { fields, mime } = readMetadata(payload.metadata);
  const data = payload.data ?? Buffer.alloc(0);
  const text = data.toString("utf8");
  const value = mime === JSON_MIME && data.length > 0 ? JSON.parse(text) : text;
  return { value, text, fields, mime };
}

// ------------------------------------------------------------------ interactions as promises

function withTimeout(what, promise) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => {
      const text = typeof what === "function" ? what() : what;
      reject(new Error(`${text}: no answer within ${TIMEOUT_MS} ms`));
    }, TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Request-response; resolves with the decoded answer, or null when the node completes empty. */
function requestResponse(rsocket, route, data, fields) {
  return withTimeout(
    `request-response ${route}`,
    new Promise((resolve, reject) => {
      rsocket.requestResponse(
        { data: data ?? Buffer.alloc(0), metadata: metadata(route, fields) },
        {
          onNext: (payload) => resolve(decoded(payload)),
          onComplete: () => resolve(null),
          onError: reject,
          onExtension: () => {},
        },
      );
    }),
  );
}

function fireAndForget(rsocket, route, data, fields) {
  return withTimeout(
    `fire-and-forget ${route}`,
    new Promise((resolve, reject) => {
      rsocket.fireAndForget(
        { data: data ?? Buffer.alloc(0), metadata: metadata(route, fields) },
        { onComplete: resolve, onError: reject },
      );
    }),
  );
}

/**
 * Request-stream with finite demand: asks for `first` messages, then `more` once those arrived, and
 * cancels after first + more unless keepOpen. Returns { done: Promise<decoded[]>, cancel }; the stream
 * is open at return.
 */
function requestStream(rsocket, route, fields, first, more = 0, keepOpen = false) {
  const total = first + more;
  const received = [];
  let handle;
  const done = new Promise((resolve, reject) => {
    handle = rsocket.requestStream({ data: Buffer.alloc(0), metadata: metadata(route, fields) }, first, {
      onNext: (payload, isComplete) => {
        received.push(decoded(payload));
        if (received.length === first && more > 0) {
          handle.request(more);
        }
        if (received.length === total) {
          if (!isComplete && !keepOpen) {
            handle.cancel();
          }
          resolve(received);
        }
      },
      onComplete: () => resolve(received),
      onError: reject,
      onExtension: () => {},
    });
  });
  return {
    done: withTimeout(() => `request-stream ${route} (${received.length}/${total} received)`, done),
    cancel: () => handle.cancel(),
  };
}

/** Request-channel: sends the values as the node asks for them; resolves with every answer. */
function requestChannel(rsocket, route, values) {
  const answers = [];
  let sent = 0;
  let requester;
  const done = new Promise((resolve, reject) => {
    const responder = {
      onNext: (payload) => answers.push(decoded(payload)),
      onComplete: () => resolve(answers),
      onError: reject,
      onExtension: () => {},
      request: (n) => {
        for (let i = 0; i < n && sent < values.length; i++) {
          sent++;
          requester.onNext({ data: json(values[sent - 1]) }, sent === values.length);
        }
      },
      cancel: () => {},
    };
    sent = 1;
    requester = rsocket.requestChannel(
      { data: json(values[0]), metadata: metadata(route) },
      values.length,
      values.length === 1,
      responder,
    );
  });
  return withTimeout(`request-channel ${route}`, done);
}

/** Runs a request expected to fail; resolves with the error. */
async function failure(promise) {
  try {
    const answer = await promise;
    throw new Error(`expected an error frame, got ${answer === null ? "an empty completion" : JSON.stringify(answer)}`);
  } catch (e) {
    if (e.message.startsWith("expected an error frame")) {
      throw e;
    }
    return e;
  }
}

// ------------------------------------------------------------------ the service this script serves

const SERVED = "js/echo";
const REGISTRATION_ID = 7;
/** The requests the node forwarded to this client's service: route and fields as received. */
const served = [];

/**
 * The client-side responder: the node calls it with route request/<service> and fields.id = the
 * registration id this client chose in serve/<service>.
 */
const responder = {
  requestResponse(payload, stream) {
    const request = forwarded(payload);
    setImmediate(() => stream.onNext({ data: json("echo: " + request.text) }, true));
    return { cancel: () => {}, onExtension: () => {} };
  },
  requestStream(payload, initialRequestN, stream) {
    const request = forwarded(payload);
    const items = [1, 2, 3].map((i) => `${request.text} ${i}`);
    let demand = initialRequestN;
    let cancelled = false;
    const drain = () => {
      while (!cancelled && demand > 0 && items.length > 0) {
        demand--;
        const item = items.shift();
        stream.onNext({ data: json(item) }, items.length === 0);
      }
    };
    setImmediate(drain);
    return {
      request: (n) => {
        demand += n;
        drain();
      },
      cancel: () => {
        cancelled = true;
      },
      onExtension: () => {},
    };
  },
};

function forwarded(payload) {
  const request = decoded(payload);
  for (const entry of decodeCompositeMetadata(payload.metadata ?? Buffer.alloc(0))) {
    if ((entry.mimeType ?? entry.type) === WellKnownMimeType.MESSAGE_RSOCKET_ROUTING.string) {
      request.route = entry.content.toString("utf8", 1, 1 + entry.content[0]);
    }
  }
  served.push(request);
  return request;
}

// ------------------------------------------------------------------ checks

let passed = 0;
let failed = 0;

async function check(name, body) {
  try {
    const detail = await body();
    passed++;
    console.log(`ok   ${name}${detail ? ": " + detail : ""}`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}: ${e && e.message ? e.message : e}`);
  }
}

function expect(condition, message) {
  if (!condition) {
    throw new Error(message);
  }
}

function same(actual, expected, what) {
  const a = JSON.stringify(actual);
  const b = JSON.stringify(expected);
  expect(a === b, `${what}: expected ${b}, got ${a}`);
}

function expectMessageFields(m, topic, what) {
  expect(m.fields.name === topic, `${what}: fields.name expected ${topic}, got ${JSON.stringify(m.fields)}`);
  expect(Number.isInteger(m.fields.seq) && m.fields.seq > 0, `${what}: fields.seq missing in ${JSON.stringify(m.fields)}`);
  const age = Date.now() - m.fields.ts;
  expect(Number.isInteger(m.fields.ts) && age >= 0 && age < 600_000, `${what}: fields.ts is not a recent epoch-millis: ${m.fields.ts}`);
}

async function run(rsocket) {
  // (a) publish JSON values with request-response; the Java client subscribes to interop/js/**.
  await check("publish request-response returns {topic, sequence, matched, dropped}", async () => {
    const sequences = [];
    for (const value of [{ sensor: "js", value: 1.5 }, { sensor: "js", value: 2.5 }, { sensor: "js", value: 3.5 }]) {
      const r = await requestResponse(rsocket, "publish/interop/js/values", json(value));
      expect(r !== null, "the node completed empty instead of answering with a result");
      same(Object.keys(r.value).sort(), ["dropped", "matched", "sequence", "topic"], "result members");
      same(r.value.topic, "interop/js/values", "result.topic");
      same(r.value.matched, 1, "result.matched (the Java subscriber)");
      same(r.value.dropped, 0, "result.dropped");
      sequences.push(r.value.sequence);
    }
    expect(sequences[1] === sequences[0] + 1 && sequences[2] === sequences[1] + 1, `sequences not consecutive: ${sequences}`);
    return `sequences ${sequences.join(",")}`;
  });

  await check("publish with fields (headers, sender) and a per-message mime type", async () => {
    const data = Buffer.from("plain text from js");
    const meta = encodeCompositeMetadata([
      [WellKnownMimeType.MESSAGE_RSOCKET_ROUTING, encodeRoute("publish/interop/text/js")],
      [WellKnownMimeType.MESSAGE_RSOCKET_MIMETYPE, Buffer.from([0x80 | WellKnownMimeType.TEXT_PLAIN.identifier])],
      [FIELDS, json({ headers: { origin: "interop.mjs" }, sender: "js-client" })],
    ]);
    const r = await withTimeout(
      "publish/interop/text/js",
      new Promise((resolve, reject) =>
        rsocket.requestResponse(
          { data, metadata: meta },
          { onNext: (p) => resolve(decoded(p)), onComplete: () => resolve(null), onError: reject, onExtension: () => {} },
        ),
      ),
    );
    same(r && r.value.matched, 1, "result.matched");
    return `sequence ${r.value.sequence}`;
  });

  // (b) subscribe to topics the Java client publishes to.
  await check("subscribe start=earliest with request(2) then request(1): 3 retained messages", async () => {
    const got = await requestStream(rsocket, "subscribe/interop/java/readings", { start: "earliest" }, 2, 1).done;
    same(got.length, 3, "message count");
    got.forEach((m, i) => {
      same(m.value, { sensor: "java", value: i + 1 }, `message ${i + 1} value`);
      expectMessageFields(m, "interop/java/readings", `message ${i + 1}`);
    });
    same(got.map((m) => m.fields.seq), [1, 2, 3].map((k) => got[0].fields.seq + k - 1), "seq");
    return `seq ${got.map((m) => m.fields.seq).join(",")}, ts ${got[0].fields.ts}`;
  });

  await check("subscribe start=latest with request(1): the retained latest message", async () => {
    const [m] = await requestStream(rsocket, "subscribe/interop/java/status", { start: "latest" }, 1).done;
    same(m.value, "running", "value");
    same(m.mime, "text/plain; charset=utf-8", "mime entry (Java String values are text)");
    expectMessageFields(m, "interop/java/status", "message");
    return `seq ${m.fields.seq}`;
  });

  await check("subscribe live (start=new), then Java publishes on our signal", async () => {
    const live = requestStream(rsocket, "subscribe/interop/java/live", undefined, 2);
    // Frames on one connection are handled in order: the subscription exists before this publish.
    const r = await requestResponse(rsocket, "publish/interop/js/ready", json({ ready: "interop/java/live" }));
    same(r.value.matched, 1, "the Java client heard the ready signal");
    const got = await live.done;
    same(got.map((m) => m.value), [{ sensor: "live", value: 1 }, { sensor: "live", value: 2 }], "values");
    got.forEach((m, i) => expectMessageFields(m, "interop/java/live", `message ${i + 1}`));
    return `seq ${got.map((m) => m.fields.seq).join(",")}`;
  });

  // (c) key/value.
  await check("put then get a key", async () => {
    const put = await requestResponse(rsocket, "put/interop/kv/js", json({ color: "blue" }));
    expect(put && Number.isInteger(put.value.revision) && put.value.revision > 0, `put result ${JSON.stringify(put && put.value)}`);
    const got = await requestResponse(rsocket, "get/interop/kv/js");
    expect(got !== null, "get completed empty");
    same(got.value, { color: "blue" }, "value");
    same(got.fields.name, "interop/kv/js", "fields.name");
    same(got.fields.seq, put.value.revision, "fields.seq (revision)");
    expect(Number.isInteger(got.fields.ts), `fields.ts missing in ${JSON.stringify(got.fields)}`);
    return `revision ${put.value.revision}`;
  });

  await check("get a key the Java client put", async () => {
    const got = await requestResponse(rsocket, "get/interop/kv/java");
    expect(got !== null, "get completed empty");
    same(got.value, { sensor: "java", value: 42 }, "value");
    same(got.fields.name, "interop/kv/java", "fields.name");
    return `revision ${got.fields.seq}`;
  });

  await check("get a missing key completes empty", async () => {
    const got = await requestResponse(rsocket, "get/interop/kv/missing");
    expect(got === null, `expected an empty completion, got ${JSON.stringify(got)}`);
  });

  await check("delete a key, then get completes empty and a second delete says false", async () => {
    await requestResponse(rsocket, "put/interop/kv/temp", json(1));
    const first = await requestResponse(rsocket, "delete/interop/kv/temp");
    same(first && first.value, { deleted: true }, "first delete");
    const got = await requestResponse(rsocket, "get/interop/kv/temp");
    expect(got === null, `get after delete: expected an empty completion, got ${JSON.stringify(got)}`);
    const second = await requestResponse(rsocket, "delete/interop/kv/temp");
    same(second && second.value, { deleted: false }, "second delete");
  });

  // (d) request/reply to a service a Java client serves.
  await check("request/text/upper served by the Java client", async () => {
    const r = await requestResponse(rsocket, "request/text/upper", json("hello from js"));
    expect(r !== null, "the service answered empty");
    same(r.text, "HELLO FROM JS", "answer");
    return `answer ${JSON.stringify(r.text)} as ${r.mime}`;
  });

  await check("request to a service nobody serves: [no-responders]", async () => {
    const e = await failure(requestResponse(rsocket, "request/text/nobody", json("hi")));
    expect(e.message.startsWith("[no-responders]"), `error message: ${e.message}`);
    return e.message;
  });

  // (g) a service served by this script, called by the Java client.
  await check(`serve ${SERVED} from JS; the Java client calls it (request-response, request-stream)`, async () => {
    const registration = requestStream(rsocket, `serve/${SERVED}`, { id: REGISTRATION_ID }, 1, 0, true);
    const [registered] = await registration.done;
    same(registered.value, { registered: SERVED }, "first payload of serve");
    const answers = requestStream(rsocket, "subscribe/interop/java/answers", undefined, 2);
    await requestResponse(rsocket, "publish/interop/js/served", json({ service: SERVED }));
    const [first, second] = await answers.done;
    same(first.value, "echo: from java", "request-response answer the Java client got");
    same(second.value, "count 1,count 2,count 3", "request-stream answers the Java client got");
    same(served.map((r) => r.route), [`request/${SERVED}`, `request/${SERVED}`], "routes of the forwarded requests");
    same(served.map((r) => r.fields.id), [REGISTRATION_ID, REGISTRATION_ID], "fields.id of the forwarded requests");
    same(served[0].mime, "text/plain; charset=utf-8", "mime entry of the Java String request");

    // Cancelling serve unregisters. Frames on one connection are handled in order: the service is
    // gone before the publish that follows.
    registration.cancel();
    const after = requestStream(rsocket, "subscribe/interop/java/answers", undefined, 1);
    await requestResponse(rsocket, "publish/interop/js/unserved", json({ service: SERVED }));
    const [third] = await after.done;
    same(third.value, "no-responders", "what the Java client got after serve was cancelled");
    return `served ${served.length} requests, then unregistered`;
  });

  // (e) routes the node does not know.
  await check("unknown route: [invalid]", async () => {
    const e = await failure(requestResponse(rsocket, "frobnicate/interop/x", json(1)));
    expect(e.message.startsWith("[invalid]"), `error message: ${e.message}`);
    return e.message;
  });

  await check("route with no name: [invalid]", async () => {
    const e = await failure(requestResponse(rsocket, "publish/", json(1)));
    expect(e.message.startsWith("[invalid]"), `error message: ${e.message}`);
  });

  await check("publish to a name with a wildcard: [invalid]", async () => {
    const e = await failure(requestResponse(rsocket, "publish/interop/js/*", json(1)));
    expect(e.message.startsWith("[invalid]"), `error message: ${e.message}`);
    return e.message;
  });

  await check("publish request-channel to a name with a wildcard: [invalid]", async () => {
    const e = await failure(requestChannel(rsocket, "publish/interop/js/*", [1, 2, 3]));
    expect(e.message.startsWith("[invalid]"), `error message: ${e.message}`);
  });

  await check("subscribe with an unknown start: [invalid]", async () => {
    const e = await failure(requestStream(rsocket, "subscribe/interop/java/status", { start: "yesterday" }, 1).done);
    expect(e.message.startsWith("[invalid]"), `error message: ${e.message}`);
    return e.message;
  });

  await check("route for the wrong interaction (subscribe as request-response): [invalid]", async () => {
    const e = await failure(requestResponse(rsocket, "subscribe/interop/java/status", undefined));
    expect(e.message.startsWith("[invalid]"), `error message: ${e.message}`);
  });

  // (f) fire-and-forget publish, seen by our own subscription and by the Java client.
  await check("fire-and-forget publish", async () => {
    const own = requestStream(rsocket, "subscribe/interop/js/fnf", undefined, 1);
    await fireAndForget(rsocket, "publish/interop/js/fnf", json({ sensor: "fnf", value: 7 }));
    const [m] = await own.done;
    same(m.value, { sensor: "fnf", value: 7 }, "value");
    expectMessageFields(m, "interop/js/fnf", "message");
  });

  await check("publish request-channel: one result per value", async () => {
    const values = [{ sensor: "channel", value: 1 }, { sensor: "channel", value: 2 }, { sensor: "channel", value: 3 }];
    const results = await requestChannel(rsocket, "publish/interop/js/channel", values);
    same(results.length, 3, "result count");
    const seq = results.map((r) => r.value.sequence);
    same(seq, [seq[0], seq[0] + 1, seq[0] + 2], "sequences");
    results.forEach((r) => same(r.value.matched, 1, "result.matched"));
    return `sequences ${seq.join(",")}`;
  });
}

// ------------------------------------------------------------------ main

function transport(kind, target, host) {
  if (kind === "tcp" && /^\d+$/.test(target ?? "")) {
    return new TcpClientTransport({ connectionOptions: { host: host ?? "127.0.0.1", port: Number(target) } });
  }
  if (kind === "ws" && /^wss?:\/\//.test(target ?? "")) {
    return new WebsocketClientTransport({ url: target, wsCreator: (url) => new WebSocket(url) });
  }
  console.error("usage: node interop.mjs tcp <port> [host] | node interop.mjs ws <ws://host:port/>");
  process.exit(2);
}

const [kind, target, host] = process.argv.slice(2);
const connector = new RSocketConnector({
  setup: { metadataMimeType: COMPOSITE, dataMimeType: JSON_MIME, keepAlive: 10_000, lifetime: 60_000 },
  transport: transport(kind, target, host),
  responder,
});

let rsocket;
try {
  rsocket = await withTimeout(`connect ${kind} ${target}`, connector.connect());
} catch (e) {
  console.log(`FAIL connect ${kind} ${target}: ${e && e.message ? e.message : e}`);
  process.exit(1);
}
console.log(`connected over ${kind} to ${target}`);
await run(rsocket);
rsocket.close();
console.log(`${failed === 0 ? "PASS" : "FAIL"} ${kind}: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
