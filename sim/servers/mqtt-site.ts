import { fromExtendedJson } from '../../protocol/bson/ejson';
import type { BsonDocument } from '../../protocol/bson/types';
import { withFactoryPreset } from '../../protocol/config/defaults';
import type { UploadTransport } from '../../protocol/config/types';
import { mqttRoutes, type MqttRoutes } from '../../protocol/mqtt/routes';
import type { Scenario } from '../scenario';

/** What the simulator's broker and head-end need to know of a site that uploads over MQTT. */
export interface MqttSite {
  readonly transport: Exclude<UploadTransport, 'ftp'>;
  readonly uid: string;
  /** The box's topics, for the payload format and prefix of its factory configuration. */
  readonly routes: MqttRoutes;
  /** `security.encryption`: the box's files are AES-encrypted (the head-end does not decode them). */
  readonly encrypted: boolean;
}

/**
 * The MQTT side of a scenario, read from its factory configuration as the box reads it (the
 * manual's defaults under the preset); undefined when the box uploads by FTP only, or when the
 * preset does not parse (the run itself reports why).
 */
export function mqttSite(scenario: Scenario): MqttSite | undefined {
  const parsed = fromExtendedJson(scenario.preset);
  if (!parsed.ok || typeof parsed.value !== 'object' || parsed.value === null || Array.isArray(parsed.value)) return undefined;
  const preset = withFactoryPreset(parsed.value as BsonDocument);
  if (!preset.ok) return undefined;
  const remote = preset.config.remote;
  if (remote.transport === 'ftp') return undefined;
  const uid = scenario.device.uid;
  return { transport: remote.transport, uid, routes: mqttRoutes(remote.mqtt.format, remote.mqtt.prefix, uid), encrypted: preset.config.security.encryption };
}
