/** Who an access token from Warden speaks for, as the routes here see it. */
export interface Caller {
  /** The user's id, or the client_id of a machine client's own token. */
  subject: string;
  clientId: string | null;
  scopes: ReadonlySet<string>;
  /** The token itself, for a route that asks Warden about it (introspection). */
  token: string;
  /** The DPoP key the token is bound to, if any (RFC 9449 `cnf.jkt`). */
  dpopKey: string | null;
}
