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
  logout: () => call('POST', '/logout', {}),
  me: () => call('GET', '/me'),
  environments: () => call('GET', '/environments'),
  deployments: (project) => call('GET', `/deployments?project=${encodeURIComponent(project)}&limit=20`),
  deployment: (id) => call('GET', `/deployments/${encodeURIComponent(id)}`),
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
