/** A console client over real HTTP: logs in, keeps the session cookie and the CSRF token. */
export class ConsoleClient {
  cookie = '';
  csrf = '';
  constructor(readonly base: string) {}

  /** The device cookie of this browser's last successful login (sent with later logins). */
  device = '';

  async login(email: string, password: string, code?: string): Promise<Response> {
    const res = await fetch(`${this.base}/console/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(this.device ? { cookie: this.device } : {}) },
      body: JSON.stringify({ email, password, ...(code ? { code } : {}) }),
    });
    if (res.ok) {
      const cookies = res.headers.getSetCookie().map((c) => c.split(';')[0]!);
      this.cookie = cookies.find((c) => c.startsWith('hotline_console=')) ?? '';
      this.device = cookies.find((c) => c.startsWith('hotline_device=')) ?? this.device;
      this.csrf = ((await res.clone().json()) as { csrfToken: string }).csrfToken;
    }
    return res;
  }

  request(method: string, path: string, body?: unknown, opts: { csrf?: boolean; headers?: Record<string, string> } = {}): Promise<Response> {
    return fetch(`${this.base}${path}`, {
      method,
      headers: {
        ...(this.cookie ? { cookie: this.cookie } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(opts.csrf === false || method === 'GET' ? {} : { 'x-csrf-token': this.csrf }),
        ...opts.headers,
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  }

  async json<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const res = await this.request(method, path, body);
    return { status: res.status, body: (await res.json()) as T };
  }
}
