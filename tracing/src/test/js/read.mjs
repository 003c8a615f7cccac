// Reads an MCAP file with the independent @mcap/core reader and prints what it found as JSON:
// { messages, channels: {topic: {encoding, schemaId, count, payloads: [base64...], metadata}},
//   schemas: {id: {name, encoding, data: base64}}, statistics,
//   indexed: what the indexed reader finds through the summary, chunk and message indexes }.
// Usage: node read.mjs FILE
import { readFile } from "node:fs/promises";
import { McapStreamReader, McapIndexedReader } from "@mcap/core";

const file = process.argv[2];
const bytes = new Uint8Array(await readFile(file));

const reader = new McapStreamReader({ validateCrcs: true });
reader.append(bytes);
const channels = new Map();
const out = { messages: 0, channels: {}, schemas: {}, footer: false, statistics: null, indexed: null };
for (let record; (record = reader.nextRecord()); ) {
  switch (record.type) {
    case "Schema":
      out.schemas[record.id] = {
        name: record.name,
        encoding: record.encoding,
        data: Buffer.from(record.data).toString("base64"),
      };
      break;
    case "Channel":
      channels.set(record.id, record);
      out.channels[record.topic] ??= {
        encoding: record.messageEncoding,
        schemaId: record.schemaId,
        metadata: Object.fromEntries(record.metadata),
        count: 0,
        payloads: [],
      };
      break;
    case "Message": {
      const c = channels.get(record.channelId);
      const entry = out.channels[c.topic];
      entry.count++;
      entry.payloads.push(Buffer.from(record.data).toString("base64"));
      out.messages++;
      break;
    }
    case "Statistics":
      out.statistics = {
        messageCount: Number(record.messageCount),
        schemaCount: record.schemaCount,
        channelCount: record.channelCount,
      };
      break;
    case "Footer":
      out.footer = true;
      break;
  }
}
if (!reader.done()) {
  throw new Error("the stream reader did not reach the end of the file");
}

// The indexed reader parses the footer, summary offsets and summary section.
const indexed = await McapIndexedReader.Initialize({
  readable: {
    size: async () => BigInt(bytes.length),
    read: async (offset, length) => bytes.slice(Number(offset), Number(offset + length)),
  },
});
const byIndex = {};
for await (const m of indexed.readMessages()) {
  const topic = indexed.channelsById.get(m.channelId).topic;
  byIndex[topic] = (byIndex[topic] ?? 0) + 1;
}
out.indexed = {
  channels: [...indexed.channelsById.values()].map((c) => c.topic).sort(),
  schemas: [...indexed.schemasById.values()].map((s) => s.name).sort(),
  messageCount: indexed.statistics ? Number(indexed.statistics.messageCount) : null,
  chunkCount: indexed.chunkIndexes.length,
  messagesByTopic: byIndex,
};
console.log(JSON.stringify(out));
