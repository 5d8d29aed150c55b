import { readFileSync } from 'node:fs';
import { createServer, IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parse } from 'protobufjs';
import { waitFor } from './ports';

export type AttributeValue = string | number | boolean | AttributeValue[];

/** One span as a collector received it, whatever the protocol: ids in hex, attributes flattened. */
export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  /** '' for a root span. */
  parentSpanId: string;
  name: string;
  /** OTLP's SpanKind: 1 internal, 2 server, 3 client. */
  kind: number;
  attributes: Record<string, AttributeValue>;
  events: { name: string; attributes: Record<string, AttributeValue> }[];
  links: { traceId: string; spanId: string }[];
  /** OTLP's status code: 0 unset, 1 ok, 2 error. */
  status: { code: number; message: string };
  scope: string;
  resource: Record<string, AttributeValue>;
}

const EXPORT_REQUEST = parse(
  readFileSync(join(__dirname, 'otlp-trace.proto'), 'utf8'),
).root.lookupType('otlp.ExportTraceServiceRequest');

/**
 * A stand-in OpenTelemetry Collector: an OTLP/HTTP receiver on a loopback port that accepts trace
 * exports in protobuf (`application/x-protobuf`) and JSON (`application/json`), gzipped or not,
 * and keeps every span. It can be stopped and started again on the same port, as a collector that
 * goes away and comes back.
 */
export class OtlpReceiver {
  readonly spans: ReceivedSpan[] = [];
  /** The content type of every export received. */
  readonly contentTypes: string[] = [];
  private server?: Server;

  private constructor(private port: number) {}

  static async start(port = 0): Promise<OtlpReceiver> {
    const receiver = new OtlpReceiver(port);
    await receiver.listen();
    return receiver;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async listen(): Promise<void> {
    const server = createServer((request, response) => {
      void this.receive(request).then(
        (json) => {
          response.writeHead(200, {
            'content-type': json ? 'application/json' : 'application/x-protobuf',
          });
          response.end(json ? '{}' : undefined);
        },
        () => {
          response.writeHead(400);
          response.end();
        },
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', resolve);
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }

  /** Waits until a span satisfying `predicate` has arrived, and answers it. */
  async waitForSpan(
    predicate: (span: ReceivedSpan) => boolean,
    what: string,
    timeoutMs = 15_000,
  ): Promise<ReceivedSpan> {
    let found: ReceivedSpan | undefined;
    await waitFor(
      () => Promise.resolve((found = this.spans.find(predicate)) !== undefined),
      timeoutMs,
      what,
    );
    return found!;
  }

  /** The spans of one trace received so far. */
  trace(traceId: string): ReceivedSpan[] {
    return this.spans.filter((span) => span.traceId === traceId);
  }

  /** Answers whether the export was JSON. */
  private async receive(request: IncomingMessage): Promise<boolean> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    let body = Buffer.concat(chunks);
    if (request.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
    if (request.url !== '/v1/traces') throw new Error(`unexpected path ${request.url}`);
    const contentType = request.headers['content-type'] ?? '';
    const json = contentType.startsWith('application/json');
    const message = json
      ? (JSON.parse(body.toString('utf8')) as ExportRequest)
      : (EXPORT_REQUEST.toObject(EXPORT_REQUEST.decode(body), { longs: String }) as ExportRequest);
    this.contentTypes.push(contentType);
    for (const resourceSpans of message.resourceSpans ?? []) {
      const resource = attributesOf(resourceSpans.resource?.attributes);
      for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
        for (const span of scopeSpans.spans ?? []) {
          this.spans.push({
            traceId: hex(span.traceId),
            spanId: hex(span.spanId),
            parentSpanId: hex(span.parentSpanId),
            name: span.name,
            kind: span.kind ?? 0,
            attributes: attributesOf(span.attributes),
            events: (span.events ?? []).map((event) => ({
              name: event.name,
              attributes: attributesOf(event.attributes),
            })),
            links: (span.links ?? []).map((link) => ({
              traceId: hex(link.traceId),
              spanId: hex(link.spanId),
            })),
            status: { code: span.status?.code ?? 0, message: span.status?.message ?? '' },
            scope: scopeSpans.scope?.name ?? '',
            resource,
          });
        }
      }
    }
    return json;
  }
}

/** The shape both encodings decode to (protobufjs' object form uses OTLP/JSON's field names). */
interface ExportRequest {
  resourceSpans?: {
    resource?: { attributes?: KeyValue[] };
    scopeSpans?: {
      scope?: { name?: string };
      spans?: {
        traceId?: string | Uint8Array;
        spanId?: string | Uint8Array;
        parentSpanId?: string | Uint8Array;
        name: string;
        kind?: number;
        attributes?: KeyValue[];
        events?: { name: string; attributes?: KeyValue[] }[];
        links?: { traceId?: string | Uint8Array; spanId?: string | Uint8Array }[];
        status?: { code?: number; message?: string };
      }[];
    }[];
  }[];
}

interface KeyValue {
  key: string;
  value?: AnyValue;
}

interface AnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string | number;
  doubleValue?: number;
  arrayValue?: { values?: AnyValue[] };
}

/** OTLP/JSON carries ids as hex strings, protobuf as bytes. */
function hex(id: string | Uint8Array | undefined): string {
  if (id === undefined) return '';
  return typeof id === 'string' ? id.toLowerCase() : Buffer.from(id).toString('hex');
}

function attributesOf(list: KeyValue[] = []): Record<string, AttributeValue> {
  return Object.fromEntries(list.map(({ key, value }) => [key, valueOf(value)]));
}

function valueOf(value: AnyValue = {}): AttributeValue {
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.arrayValue !== undefined) return (value.arrayValue.values ?? []).map(valueOf);
  return '';
}
