/** Where the hub connects, as the FTP, NTP and MQTT clients need it: host and port out of the `host[:port]` texts. */
import { DEFAULT_FTP_PORT, DEFAULT_MQTTS_PORT, DEFAULT_MQTT_PORT, DEFAULT_NTP_PORT, DEFAULT_NTP_SERVER } from './schema';
import { Config } from './types';

export interface Endpoint {
  host: string;
  port: number;
}

/** `host` or `host:port` (already validated by the schema); '' is no endpoint. */
export function splitHostPort(text: string, defaultPort: number): Endpoint | undefined {
  if (text === '') return undefined;
  const colon = text.lastIndexOf(':');
  if (colon < 0) return { host: text, port: defaultPort };
  return { host: text.slice(0, colon), port: Number(text.slice(colon + 1)) };
}

/** §4.2.3.2: the FTP server (port 21 unless given), undefined while none is configured. */
export function ftpEndpoint(config: Config): Endpoint | undefined {
  const addr = config.remote.ftp.addr;
  return addr === null ? undefined : splitHostPort(addr, DEFAULT_FTP_PORT);
}

/** §4.2.3.3: the NTP servers in preference order (port 123 unless given); pool.ntp.org when none is set. */
export function ntpEndpoints(config: Config): Endpoint[] {
  const ntp = config.remote.ntp;
  const texts = ntp === null ? [] : Array.isArray(ntp) ? ntp : [ntp];
  const endpoints: Endpoint[] = [];
  for (const text of texts) {
    const endpoint = splitHostPort(text, DEFAULT_NTP_PORT);
    if (endpoint !== undefined) endpoints.push(endpoint);
  }
  return endpoints.length > 0 ? endpoints : [{ host: DEFAULT_NTP_SERVER, port: DEFAULT_NTP_PORT }];
}

/**
 * Product extension (docs/configuration.md): the MQTT broker, port 1883 (8883 with `tls`) unless
 * `remote.mqtt.port` is set; undefined while `remote.mqtt.addr` is null.
 */
export function mqttEndpoint(config: Config): (Endpoint & { tls: boolean }) | undefined {
  const { addr, port, tls } = config.remote.mqtt;
  if (addr === null) return undefined;
  return { host: addr, port: port ?? (tls ? DEFAULT_MQTTS_PORT : DEFAULT_MQTT_PORT), tls };
}
