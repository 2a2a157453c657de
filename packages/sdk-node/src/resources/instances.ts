import { pathId, type RequestOptions, type Transport } from '../core.js';
import type { InstanceHeartbeat, InstanceHeartbeatAnswer } from '../types.js';

/** What `registerInstance` takes: the instance, its first report, and how often to heartbeat. */
export interface RegisterInstanceParams extends InstanceHeartbeat {
  /** The world's `worldId` (e.g. `asia-1`), not its numeric id. */
  worldId: string;
  /** Unique within the world: a host or pod name. */
  instanceId: string;
  /** Time between heartbeats (default 10 000 ms; keep it well under the server's GATRIX_INSTANCE_TTL, 30 s by default). */
  intervalMs?: number;
  /** Called when a background heartbeat fails (it is retried on the next interval). By default failures are kept in `lastError` only. */
  onError?: (err: unknown) => void;
}

export type InstanceReport = InstanceHeartbeat;

const heartbeatPath = (worldId: string, instanceId: string) => `/api/v1/game-worlds/${pathId(worldId)}/instances/${pathId(instanceId)}`;

export function sendHeartbeat(transport: Transport, worldId: string, instanceId: string, report: InstanceHeartbeat, options?: RequestOptions): Promise<InstanceHeartbeatAnswer> {
  return transport.request<InstanceHeartbeatAnswer>('PUT', heartbeatPath(worldId, instanceId), { body: report, options });
}

export function deregister(transport: Transport, worldId: string, instanceId: string, options?: RequestOptions): Promise<void> {
  return transport.request<void>('DELETE', heartbeatPath(worldId, instanceId), { options });
}

/**
 * A registered world instance: heartbeats its report every `intervalMs` (the timer does not keep the process
 * alive) until `close()`, which deregisters it. Heartbeats never overlap; a failed one is retried on the next
 * interval and reported to `onError`.
 */
export class InstanceHandle {
  readonly worldId: string;
  readonly instanceId: string;
  readonly intervalMs: number;
  /** The error of the last failed heartbeat, cleared by the next one that succeeds. */
  lastError: unknown = undefined;
  #report: InstanceReport;
  #timer: NodeJS.Timeout | undefined;
  #sending: Promise<unknown> | undefined;
  #closed = false;
  readonly #transport: Transport;
  readonly #onError?: (err: unknown) => void;

  constructor(transport: Transport, params: RegisterInstanceParams) {
    const { worldId, instanceId, intervalMs = 10_000, onError, ...report } = params;
    if (!(intervalMs >= 100)) throw new RangeError('intervalMs must be at least 100');
    this.#transport = transport;
    this.worldId = worldId;
    this.instanceId = instanceId;
    this.intervalMs = intervalMs;
    this.#onError = onError;
    this.#report = report;
  }

  /** The report the next heartbeat sends. */
  get report(): InstanceReport {
    return { ...this.#report };
  }

  /** Sends one heartbeat now (after the one in flight, if any) and schedules the next. */
  async heartbeat(): Promise<InstanceHeartbeatAnswer> {
    if (this.#closed) throw new Error('the instance was closed');
    clearTimeout(this.#timer);
    const previous = this.#sending?.catch(() => undefined);
    // One at a time, each with the report as it is when it goes out.
    const sending = (async () => {
      await previous;
      return sendHeartbeat(this.#transport, this.worldId, this.instanceId, this.#report);
    })();
    this.#sending = sending;
    try {
      const answer = await sending;
      this.lastError = undefined;
      return answer;
    } finally {
      if (this.#sending === sending) this.#sending = undefined;
      this.#schedule();
    }
  }

  /** Changes the report (players, status, …) and sends it at once. */
  update(changes: Partial<InstanceReport>): Promise<InstanceHeartbeatAnswer> {
    this.#report = { ...this.#report, ...changes };
    return this.heartbeat();
  }

  /** Stops heartbeating and deregisters the instance (an instance already gone counts as deregistered). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#timer);
    await this.#sending?.catch(() => undefined);
    try {
      await deregister(this.#transport, this.worldId, this.instanceId);
    } catch (err) {
      if ((err as { status?: number }).status !== 404) throw err;
    }
  }

  #schedule(): void {
    if (this.#closed) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.heartbeat().catch((err: unknown) => {
        this.lastError = err;
        this.#onError?.(err);
      });
    }, this.intervalMs);
    this.#timer.unref();
  }
}
