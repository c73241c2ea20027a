import { isoBase64URL, isoCBOR } from '@simplewebauthn/server/helpers';
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';
import {
  createHash,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  sign,
} from 'node:crypto';

const sha256 = (data: Uint8Array | string): Buffer =>
  createHash('sha256').update(data).digest();

/** Authenticator data flags (WebAuthn §6.1). */
const USER_PRESENT = 0x01;
const USER_VERIFIED = 0x04;
const ATTESTED_CREDENTIAL = 0x40;

interface Credential {
  id: Buffer;
  privateKey: KeyObject;
  userHandle: string;
  counter: number;
}

/** What a test may bend in a ceremony, to play a broken or hostile authenticator. */
export interface CeremonyTweaks {
  origin?: string;
  rpId?: string;
  userVerified?: boolean;
  /** Registration: reuse this credential id instead of a new one. */
  credentialId?: Buffer;
  /** Authentication: the user handle sent, instead of the credential's own. */
  userHandle?: string;
}

/**
 * A WebAuthn authenticator in Node (ES256, attestation `none`), for tests that need what a
 * browser will not do: many ceremonies at once, the same credential twice, a missing user
 * verification flag. The browser tests check the real thing against Chromium's virtual one.
 */
export class SoftwareAuthenticator {
  readonly credentials: Credential[] = [];

  constructor(
    private readonly origin: string,
    private readonly rpId: string,
  ) {}

  register(
    options: PublicKeyCredentialCreationOptionsJSON,
    tweaks: CeremonyTweaks = {},
  ): RegistrationResponseJSON {
    const { privateKey, publicKey } = generateKeyPairSync('ec', {
      namedCurve: 'P-256',
    });
    const jwk = publicKey.export({ format: 'jwk' });
    const coseKey = new Map<number, number | Uint8Array>([
      [1, 2], // kty: EC2
      [3, -7], // alg: ES256
      [-1, 1], // crv: P-256
      [-2, isoBase64URL.toBuffer(jwk.x ?? '')],
      [-3, isoBase64URL.toBuffer(jwk.y ?? '')],
    ]);
    const id = tweaks.credentialId ?? randomBytes(16);
    const length = Buffer.alloc(2);
    length.writeUInt16BE(id.length);
    const authData = Buffer.concat([
      this.header(tweaks, ATTESTED_CREDENTIAL, 0),
      Buffer.alloc(16), // AAGUID
      length,
      id,
      Buffer.from(isoCBOR.encode(coseKey)),
    ]);
    const attestationObject = isoCBOR.encode(
      new Map<string, string | Map<string, string> | Uint8Array<ArrayBuffer>>([
        ['fmt', 'none'],
        ['attStmt', new Map()],
        ['authData', new Uint8Array(authData)],
      ]),
    );
    this.credentials.push({
      id,
      privateKey,
      userHandle: options.user.id,
      counter: 0,
    });
    const credentialId = isoBase64URL.fromBuffer(new Uint8Array(id));
    return {
      id: credentialId,
      rawId: credentialId,
      type: 'public-key',
      response: {
        clientDataJSON: this.clientData(
          'webauthn.create',
          options.challenge,
          tweaks,
        ),
        attestationObject: isoBase64URL.fromBuffer(attestationObject),
        transports: ['internal'],
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }

  /** Signs in with the credential registered `index`th (the last one by default). */
  authenticate(
    options: PublicKeyCredentialRequestOptionsJSON,
    index = this.credentials.length - 1,
    tweaks: CeremonyTweaks = {},
  ): AuthenticationResponseJSON {
    const credential = this.credentials[index];
    credential.counter += 1;
    const authenticatorData = this.header(tweaks, 0, credential.counter);
    const clientDataJSON = this.clientData(
      'webauthn.get',
      options.challenge,
      tweaks,
    );
    const signature = sign(
      'sha256',
      Buffer.concat([
        authenticatorData,
        sha256(isoBase64URL.toBuffer(clientDataJSON)),
      ]),
      credential.privateKey,
    );
    const id = isoBase64URL.fromBuffer(new Uint8Array(credential.id));
    return {
      id,
      rawId: id,
      type: 'public-key',
      response: {
        clientDataJSON,
        authenticatorData: isoBase64URL.fromBuffer(authenticatorData),
        signature: isoBase64URL.fromBuffer(signature),
        userHandle: tweaks.userHandle ?? credential.userHandle,
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }

  /** RP ID hash, flags and signature counter: the start of all authenticator data. */
  private header(tweaks: CeremonyTweaks, flags: number, counter: number) {
    const counterBytes = Buffer.alloc(4);
    counterBytes.writeUInt32BE(counter);
    return Buffer.concat([
      sha256(tweaks.rpId ?? this.rpId),
      Buffer.from([
        USER_PRESENT |
          (tweaks.userVerified === false ? 0 : USER_VERIFIED) |
          flags,
      ]),
      counterBytes,
    ]);
  }

  private clientData(
    type: string,
    challenge: string,
    tweaks: CeremonyTweaks,
  ): string {
    return isoBase64URL.fromUTF8String(
      JSON.stringify({
        type,
        challenge,
        origin: tweaks.origin ?? this.origin,
        crossOrigin: false,
      }),
    );
  }
}
