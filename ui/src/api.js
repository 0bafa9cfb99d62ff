// The server's JSON API, same origin, signed in by an HttpOnly session cookie the page never sees.
export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function call(method, path, body) {
  const response = await fetch(`/api/v1${path}`, {
    method,
    credentials: 'same-origin',
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const data = text ? JSON.parse(text) : null;
  if (!response.ok) {
    throw new ApiError(response.status, data?.error ?? response.statusText);
  }
  return data;
}

export const api = {
  login: (user, password) => call('POST', '/login', { user, password }),
  loginLink: (link) => call('POST', '/login/link', { link }),
  logout: () => call('POST', '/logout', {}),
  me: () => call('GET', '/me'),
  environments: () => call('GET', '/environments'),
  deployments: (project) => call('GET', `/deployments?project=${encodeURIComponent(project)}&limit=20`),
  deployment: (id) => call('GET', `/deployments/${encodeURIComponent(id)}`),
  history: (project, environment, days) =>
    call('GET', `/environments/${encodeURIComponent(project)}/${encodeURIComponent(environment)}/history?days=${days}`),
  cronRun: (id) => call('GET', `/cron-runs/${encodeURIComponent(id)}`),
  secrets: (project) => call('GET', `/projects/${encodeURIComponent(project)}/secrets`),
  audit: () => call('GET', '/audit?limit=200'),
};

// Live log lines of a deployment over server-sent events; returns a function that stops listening.
export function followLog(id, onLine, onEnd) {
  const source = new EventSource(`/api/v1/deployments/${encodeURIComponent(id)}/logs/stream`);
  source.onmessage = (event) => onLine(JSON.parse(event.data));
  source.addEventListener('end', (event) => {
    source.close();
    onEnd(JSON.parse(event.data));
  });
  source.onerror = () => {
    source.close();
    onEnd(null);
  };
  return () => source.close();
}

// A service's application logs, live: the last lines of each replica, then each new one as it is
// written. Read with fetch rather than EventSource, so a refusal (no such service, a target that
// cannot give logs) arrives with its message. Returns a function that stops listening.
export function followServiceLogs(project, environment, service, onLine, onEnd) {
  const controller = new AbortController();
  const path = ['environments', project, environment, 'services', service, 'logs'].map(encodeURIComponent).join('/');
  (async () => {
    try {
      const response = await fetch(`/api/v1/${path}?follow=true&tail=200`, { credentials: 'same-origin', signal: controller.signal });
      if (!response.ok) {
        const body = await response.json().catch(() => null);
        onEnd(body?.error ?? response.statusText);
        return;
      }
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let pending = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        pending += value;
        let cut;
        while ((cut = pending.indexOf('\n\n')) >= 0) {
          const event = pending.slice(0, cut);
          pending = pending.slice(cut + 2);
          const name = /^event: (.*)$/m.exec(event)?.[1] ?? 'message';
          const data = /^data: (.*)$/m.exec(event)?.[1];
          if (data === undefined) continue;
          if (name === 'message') onLine(JSON.parse(data));
          else if (name === 'error') return onEnd(JSON.parse(data).error);
        }
      }
      onEnd(null);
    } catch (e) {
      if (!controller.signal.aborted) onEnd(e.message);
    }
  })();
  return () => controller.abort();
}
