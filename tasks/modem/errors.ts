/**
 * Configuration a person must complete before a session can reach its server (no server
 * configured, TLS required without a CA): the retry policy (policy.ts adviceFor) waits for the
 * schedule or a new configuration instead of backing off.
 */
export class ConfigurationMissing extends Error {
  override readonly name = 'ConfigurationMissing';
}
