/**
 * Shapes shared by the AT channel codec of Quectel BG95-class modems (3GPP TS 27.007 framing plus
 * the Quectel TCP/IP and SSL application extensions).
 */

/** A parse outcome: bad modem output never throws, it comes back as `{ ok: false, error }`. */
export type AtParse<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

/** How a command ended. `timeout` and `aborted` are produced by the channel, never by the modem. */
export type AtFinalKind =
  | 'ok'
  | 'error'
  | 'cme'
  | 'cms'
  | 'send-ok'
  | 'send-fail'
  | 'connect'
  | 'no-carrier'
  | 'busy'
  | 'no-answer'
  | 'no-dialtone'
  | 'timeout'
  | 'aborted';

export interface AtFinal {
  readonly kind: AtFinalKind;
  /** Numeric code of `+CME ERROR: n` / `+CMS ERROR: n`, or the length of `CONNECT n`. */
  readonly code?: number;
  /** The line as received (or a reason for `timeout` / `aborted`). */
  readonly text: string;
}

/** Registration state of +CREG / +CGREG / +CEREG (TS 27.007 §7.2, §10.1.20, §10.1.22). */
export type RegistrationKind = 'CREG' | 'CGREG' | 'CEREG';

export interface Registration {
  readonly kind: RegistrationKind;
  /** The `<n>` URC setting, only present in a read-command response. */
  readonly n?: number;
  /** 0 not searching, 1 home, 2 searching, 3 denied, 4 unknown, 5 roaming. */
  readonly stat: number;
  /** True for stat 1 (home) and 5 (roaming). */
  readonly registered: boolean;
  /** Tracking / location area code, hex string. */
  readonly area?: string;
  /** Cell identity, hex string. */
  readonly cellId?: string;
  /** Access technology: 0 GSM, 8 LTE-M (eMTC), 9 NB-IoT. */
  readonly act?: number;
}

/** Unsolicited result codes the BG95 emits; anything else recognised as a URC is `other`. */
export type AtUrc =
  | { readonly type: 'recv'; readonly service: 'tcpip' | 'ssl'; readonly connectId: number; readonly length?: number; readonly remoteAddress?: string; readonly remotePort?: number }
  | { readonly type: 'closed'; readonly service: 'tcpip' | 'ssl'; readonly connectId: number }
  | { readonly type: 'pdpdeact'; readonly contextId: number }
  | { readonly type: 'incoming-full' }
  | { readonly type: 'incoming'; readonly connectId: number; readonly serverId: number; readonly remoteAddress: string; readonly remotePort: number }
  | { readonly type: 'dnsgip-header'; readonly error: number; readonly count: number; readonly ttl: number }
  | { readonly type: 'dnsgip-address'; readonly address: string }
  | { readonly type: 'open'; readonly service: 'tcpip' | 'ssl'; readonly connectId: number; readonly error: number }
  | { readonly type: 'registration'; readonly registration: Registration }
  | { readonly type: 'ready'; readonly stage: 'RDY' | 'APP RDY' }
  | { readonly type: 'cpin'; readonly state: string }
  | { readonly type: 'cfun'; readonly fun: number }
  | { readonly type: 'powered-down'; readonly text: string }
  | { readonly type: 'ntp'; readonly error: number; readonly utcMs?: number }
  | { readonly type: 'qind'; readonly name: string; readonly params: readonly string[] }
  | { readonly type: 'other'; readonly text: string };
