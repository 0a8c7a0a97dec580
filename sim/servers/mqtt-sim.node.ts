import * as fs from 'node:fs';
import * as path from 'node:path';
import type { HostSockets } from '../net/types';
import { SIM_HEADEND_PASSWORD, SIM_HEADEND_USER, SIM_MQTT_PASSWORD, SIM_MQTT_USER, type Scenario } from '../scenario';
import { startHeadEnd, type HeadEnd } from './headend.node';
import { startMosquitto, type MosquittoBroker } from './mosquitto.node';
import { mqttSite, type MqttSite } from './mqtt-site';
import { messageRecord } from './mqtt-record';

/** The MQTT side of a simulated site, for both hosts (sim/cli/main.node.ts, sim/xs/host.node.ts). */
export interface MqttSimServers {
  readonly site: MqttSite;
  readonly broker: MosquittoBroker;
  readonly headEnd: HeadEnd;
  /** The box's host sockets, with the head-end taking part in their settle. */
  wrap(sockets: HostSockets): HostSockets;
  /** Once the run is over: waits for the last deliveries; with `outDir`, writes `outDir/mqtt/messages.jsonl`. */
  finish(outDir?: string): Promise<void>;
  stop(): Promise<void>;
}

/**
 * With `remote.transport` mqtt or both in the scenario's configuration: a real mosquitto on a free
 * localhost port (the box's account and the head-end's), and the head-end subscribed to everything.
 * Undefined for an FTP site. `now` is the run's virtual time.
 */
export async function startMqttServers(scenario: Scenario, now: () => number): Promise<MqttSimServers | undefined> {
  const site = mqttSite(scenario);
  if (site === undefined) return undefined;
  const broker = await startMosquitto({ users: { [SIM_MQTT_USER]: SIM_MQTT_PASSWORD, [SIM_HEADEND_USER]: SIM_HEADEND_PASSWORD } });
  let headEnd: HeadEnd;
  try {
    headEnd = await startHeadEnd({
      host: broker.host,
      port: broker.port,
      username: SIM_HEADEND_USER,
      password: SIM_HEADEND_PASSWORD,
      site,
      messages: scenario.mqtt?.messages ?? [],
      startMs: Date.parse(scenario.start),
      now,
    });
  } catch (e) {
    await broker.stop();
    throw e;
  }
  return {
    site,
    broker,
    headEnd,
    wrap: (sockets) => headEnd.wrap(sockets, broker.port),
    finish: async (outDir) => {
      await headEnd.drain();
      if (outDir === undefined) return;
      const dir = path.join(outDir, 'mqtt');
      fs.rmSync(dir, { recursive: true, force: true });
      fs.mkdirSync(dir, { recursive: true });
      const lines = headEnd.delivered().map((m) => JSON.stringify(messageRecord(site, m)) + '\n');
      fs.writeFileSync(path.join(dir, 'messages.jsonl'), lines.join(''));
    },
    stop: async () => {
      await headEnd.close().catch(() => undefined);
      await broker.stop();
    },
  };
}
