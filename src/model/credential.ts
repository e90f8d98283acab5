/** A credential set: one may serve many destinations; a destination uses zero or one. */
export type Credential =
  | { name: string; type: 'basic'; username: string; password: string }
  | { name: string; type: 'bearer'; token: string }
  | { name: string; type: 'apiKey'; header: string; value: string }
  | {
      name: string;
      type: 'oauth2';
      tokenUrl: string;
      clientId: string;
      clientSecret: string;
      scope?: string;
      audience?: string;
      /** How the client authenticates to the token endpoint (RFC 6749 §2.3.1). */
      clientAuth: 'basic' | 'body';
      /** Development opt-in checked when the set is saved: plain http:// token URLs on localhost. */
      allowInsecureHttp?: boolean;
    };
