import type { MqttPayloadFormat } from '../config/types';
import type { OutboxKind } from '../files/names';
import { gatewaySerial, lansenTopics } from './lansen';

/**
 * The topics a box publishes and listens on, per payload format (docs/mqtt.md).
 *
 * `lansen` follows the Lansen gateway (seed 002, "MQTT traffic"): data and status on
 * `LAS/W/D/<serial>`, the ready-for-configuration packet on `LAS/W/I/<serial>`, configuration in on
 * `LAS/W/C/<serial>`, responses (this product's ACK files) on `LAS/W/R/<serial>`. `json` and `bson`
 * live under `<prefix>/<uid>/…`, JSON frames on `<prefix>/<manufacturer>/<id>`. The manual's other
 * files (alarm, supervision, log, configuration copy) go as BSON to `<prefix>/<uid>/<kind>` in every format.
 */
export interface MqttRoutes {
  readonly format: MqttPayloadFormat;
  /** Lansen containers (one per frame) and the status packet; BSON data documents in `bson`. */
  readonly data: string;
  readonly status: string;
  readonly ready: string;
  /** Configuration and command files in; `<config>/<file name>` names the file. */
  readonly config: string;
  /** ACK files out. */
  readonly response: string;
  /** Prefix of the per-meter JSON topics. */
  readonly prefix: string;
  /** Topic of an outbox file of `kind`. */
  readonly files: Readonly<Record<OutboxKind, string>>;
}

const LEVEL = '/';

export function mqttRoutes(format: MqttPayloadFormat, prefix: string, uid: string): MqttRoutes {
  const own = prefix + LEVEL + uid;
  const files = {
    config: own + '/config-copy',
    data: own + '/data',
    alarm: own + '/alarm',
    ack: own + '/ack',
    supervision: own + '/supervision',
    log: own + '/log',
  };
  if (format === 'lansen') {
    const t = lansenTopics(gatewaySerial(uid));
    return { format, data: t.data, status: t.data, ready: t.ready, config: t.config, response: t.response, prefix, files: { ...files, ack: t.response } };
  }
  return { format, data: files.data, status: own + '/status', ready: own + '/ready', config: own + '/config', response: files.ack, prefix, files };
}

/**
 * The file name an incoming message on `topic` names: `<config>/<name>` gives it; a message on
 * `<config>` itself has none (undefined: the caller infers it from the document).
 */
export function messageFileName(routes: MqttRoutes, topic: string): string | undefined {
  if (topic.length > routes.config.length + 1 && topic.startsWith(routes.config + LEVEL)) return topic.slice(routes.config.length + 1);
  return undefined;
}
