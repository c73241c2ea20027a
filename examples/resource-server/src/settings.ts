/** What the resource server needs to know, from its environment. */
export interface ResourceServerSettings {
  /** Warden's issuer identifier (its PUBLIC_URL): discovery, the JWKS and introspection are there. */
  wardenUrl: URL;
  /** The `aud` Warden's access tokens carry (Warden's JWT_AUDIENCE). */
  audience: string;
  /** Where clients reach this server: DPoP proofs name it (`htu`), never the Host header. */
  publicUrl: URL;
  port: number;
  /** This server's own client at Warden, registered with allow_introspection. */
  introspection: { clientId: string; clientSecret: string };
}

/**
 * Reads the settings, or throws naming every variable that is missing or wrong, so that a
 * misconfigured start says what to fix in one go.
 */
export function readSettings(env: NodeJS.ProcessEnv): ResourceServerSettings {
  const problems: string[] = [];
  const url = (name: string, fallback?: string): URL => {
    const value = env[name] ?? fallback;
    const parsed = value === undefined ? null : URL.parse(value);
    if (!parsed)
      problems.push(`${name} must be a URL (got ${value ?? 'nothing'})`);
    return parsed ?? new URL('http://invalid');
  };
  const text = (name: string, fallback?: string): string => {
    const value = env[name] ?? fallback;
    if (!value) problems.push(`${name} is required`);
    return value ?? '';
  };
  const port = Number(env.PORT ?? 4000);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    problems.push(`PORT must be a port number (got ${env.PORT})`);
  const settings: ResourceServerSettings = {
    wardenUrl: url('WARDEN_URL', 'http://localhost:3000'),
    audience: text('WARDEN_AUDIENCE', 'warden-api'),
    publicUrl: url('PUBLIC_URL', `http://localhost:${port}`),
    port,
    introspection: {
      clientId: text('INTROSPECTION_CLIENT_ID'),
      clientSecret: text('INTROSPECTION_CLIENT_SECRET'),
    },
  };
  if (problems.length > 0)
    throw new Error(
      `The resource server cannot start:\n- ${problems.join('\n- ')}`,
    );
  return settings;
}
