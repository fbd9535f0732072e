/**
 * The webview's side of the protocol (src/protocol.ts): typed posting to the extension,
 * requests whose replies come back by requestId, and the model messages.
 */
import type { FromWebview, SimModel, ToWebview } from '../src/protocol';

/** What VS Code injects into a webview (a stand-in in the browser test). */
export interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

type Reply = Extract<ToWebview, { requestId: number }>;
type Request = Extract<FromWebview, { requestId: number }>;
type Unsent<T> = T extends unknown ? Omit<T, 'requestId'> : never;

export interface ModelMessage {
  model: SimModel;
  version: number;
  /** Anything else the extension sent with the model, kept as it is (e.g. what to restore). */
  extra: Record<string, unknown>;
}

export class Host {
  readonly api: VsCodeApi;
  private nextId = 1;
  private readonly pending = new Map<number, (reply: Reply) => void>();
  private modelListener?: (m: ModelMessage) => void;

  constructor(api: VsCodeApi = acquireVsCodeApi()) {
    this.api = api;
    window.addEventListener('message', (event: MessageEvent) => this.receive(event.data));
  }

  post(message: FromWebview): void {
    this.api.postMessage(message);
  }

  /**
   * Post a request and wait for its reply (apply → applied, export → exported); after
   * `timeoutMs` without one, a failed reply of our own (an export waits on a save dialog,
   * so give it long).
   */
  request(message: Unsent<Request>, timeoutMs = 120_000): Promise<Reply> {
    const requestId = this.nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(requestId);
        resolve({ type: message.type === 'apply' ? 'applied' : 'exported', requestId, ok: false, message: 'The extension did not answer.' });
      }, timeoutMs);
      this.pending.set(requestId, (reply) => {
        clearTimeout(timer);
        resolve(reply);
      });
      this.post({ ...message, requestId } as Request);
    });
  }

  onModel(listener: (m: ModelMessage) => void): void {
    this.modelListener = listener;
  }

  log(level: 'info' | 'warn' | 'error', message: string): void {
    this.post({ type: 'log', level, message });
  }

  private receive(data: unknown): void {
    if (typeof data !== 'object' || data === null) return;
    const m = data as Record<string, unknown>;
    if (m.type === 'model') {
      const model = m.model as SimModel | undefined;
      if (!model || !Array.isArray(model.layers)) return;
      const { type: _type, model: _model, version, ...extra } = m;
      this.modelListener?.({ model, version: typeof version === 'number' ? version : 0, extra });
    } else if ((m.type === 'applied' || m.type === 'exported') && typeof m.requestId === 'number') {
      const resolve = this.pending.get(m.requestId);
      this.pending.delete(m.requestId);
      resolve?.(m as unknown as Reply);
    }
  }
}
