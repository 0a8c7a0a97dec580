import type { BsonDocument } from '../../protocol/bson/types';
import { gatewaySerial, lansenTopics } from '../../protocol/mqtt/lansen';
import { startMosquitto, type MosquittoBroker } from '../../sim/servers/mosquitto.node';
import { connectObserver, type MqttObserver } from '../../sim/servers/mqtt-observer.node';
import { RIG_UID, UploadRig } from '../../sim/upload/rig.node';
import { startSntpServer, type SntpServer } from '../../sim/upload/servers.node';
import { SIM_PIN } from '../../sim/upload/rig.node';

export const BROKER_USER = 'hub';
export const BROKER_PASS = 'mqtt-secret';
/** What a head-end subscribes with: everything. */
const EVERYTHING = '#';

export const SERIAL = gatewaySerial(RIG_UID);
export const TOPICS = lansenTopics(SERIAL);

/** `{ config: {...} }` that points the hub at the test broker over MQTT only. */
export function mqttConfig(port: number, ntpPort: number, mqtt: BsonDocument = {}, transport = 'mqtt'): BsonDocument {
  return {
    config: {
      mode: 'run',
      remote: {
        modem: { mode: 'auto', cpin: SIM_PIN, apn: 'iot.test', timeout: 120, randomDelay: 0 },
        transport,
        mqtt: { addr: '127.0.0.1', port, user: BROKER_USER, pass: BROKER_PASS, listen: 0, ...mqtt },
        ntp: `127.0.0.1:${ntpPort}`,
      },
    },
  };
}

export interface MqttSuite {
  readonly broker: MosquittoBroker;
  readonly ntp: SntpServer;
  /** Subscribed to every topic before each test: what a head-end receives. */
  observer: MqttObserver;
  rig: UploadRig;
}

/**
 * Hooks of a suite against a real mosquitto (password file, TLS listener with a CA made for the
 * run) and an SNTP server on the rig's clock; per test a fresh rig pointed at the broker and a
 * fresh observer subscribed to everything.
 */
export function mqttSuite(prepare?: (rig: UploadRig, s: MqttSuite) => void): MqttSuite {
  const s = {} as { broker: MosquittoBroker; ntp: SntpServer; observer: MqttObserver; rig: UploadRig };
  beforeAll(async () => {
    s.broker = await startMosquitto({ users: { [BROKER_USER]: BROKER_PASS, headend: 'headend' }, tls: true });
    s.ntp = await startSntpServer(() => s.rig.world.now());
  });
  afterAll(async () => {
    await s.broker?.stop();
    await s.ntp?.close();
  });
  beforeEach(async () => {
    s.observer = await observe(s.broker);
    s.rig = new UploadRig();
    s.rig.configure(mqttConfig(s.broker.port, s.ntp.port));
    prepare?.(s.rig, s);
  });
  afterEach(async () => {
    s.rig.close();
    await s.observer.close();
  });
  return s;
}

/** A head-end's client, subscribed to every topic at QoS 1. */
export async function observe(broker: MosquittoBroker): Promise<MqttObserver> {
  const observer = await connectObserver({ host: broker.host, port: broker.port, username: 'headend', password: 'headend', clientId: `headend-${Math.random().toString(16).slice(2)}` });
  await observer.subscribe(EVERYTHING, 1);
  return observer;
}
