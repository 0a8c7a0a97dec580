import type { BsonDocument } from '../../protocol/bson/types';
import { defaultConfig } from '../../protocol/config/defaults';
import { supervisionSection } from '../../protocol/files/supervision';
import { SimGauge } from '../../sim/drivers/gauge';
import type { CounterSet } from '../../tasks/counters';
import { buildSupervision } from '../../tasks/modem/supervision';

/** The §5.7 `supervision` section a bench box (default configuration, full 14 Ah pack, 21.5 °C) writes for `counters`. */
export function benchSupervision(counters: CounterSet, nowSec: number): BsonDocument {
  const gauge = new SimGauge(14_000, { chargeUsedMah: () => 0, temperatureDeciC: () => 215, loadMa: () => 0 });
  const s = buildSupervision({
    identity: { uid: 'WE_TEST', sn: 'SN_TEST', hardwareVersion: '11' },
    config: defaultConfig(),
    counters,
    modem: undefined,
    reading: gauge.read(),
    capacityMah: gauge.capacityMah,
    sw: '01.00',
    swBle: '01.00',
    nowSec,
  });
  return supervisionSection(s);
}
