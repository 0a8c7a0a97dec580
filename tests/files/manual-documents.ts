/**
 * The JSON examples of the primary spec's §5.3 (data), §5.4 (alarm), §5.5 (ACK), §5.7 (supervision)
 * and §5.8 (log), in the manual's extended-JSON notation. Repairs needed to make them JSON, and
 * nothing else: trailing/double commas removed, `"\schedule"` read as `"schedule"`, strings the PDF
 * wrapped over two lines joined, the backslash inside the second frame's base64 dropped, and the
 * garbled `nwinf` line of the supervision example restored as one string.
 */
export const DATA_EXAMPLE = `{
  "uid": "WE_1234",
  "source": "schedule",
  "TS": 1560068897,
  "frameCount": 2,
  "data": [
    { "T": 1560066602, "R": 199, "F": { "$type": "80", "$binary": "fAviGIskafDwA4E0UkO26w==" } },
    { "T": 15600645887, "R": 178, "F": { "$type": "80", "$binary": "+plAPliAwE0df2KBY1N7Iodr/LAFS2CrXTrUsY3wy731VN113/9UmOCiglwR" } }
  ],
  "crc": 0
}`;

export const ALARM_EXAMPLE = `{
  "uid": "WE_1234",
  "source": "alarm",
  "TS": 1560068897,
  "frameCount": 2,
  "alarm": { "type": "temperature", "value": 45 },
  "crc": 0
}`;

export const ACK_EXAMPLE = `{
  "uid": "WE_1234",
  "source": "ftp",
  "TS": 1560068897,
  "ack": { "type": "cmd", "cid": "c_1234", "result": "ok", "data": "/f10/152233-cmd.bson" },
  "crc": 0
}`;

export const SUPERVISION_EXAMPLE = `{
  "uid": "WE_1234",
  "source": "schedule",
  "TS": 1598349735,
  "supervision": {
    "identity": { "uid": "WE_1234", "name": "1234", "SN": "SN20200423_9876543210" },
    "version": { "hw": 11, "sw": "01.04", "swBle": "0.1", "swModem": "BG95M3LAR02A03_01.005.01.005" },
    "uptime": { "run": 85484, "radio": 69090, "modem": 5873, "lowPower": 336583 },
    "measures": {
      "vAlim": 7100,
      "temperature": 15,
      "histogram": {
        "below -10°C": 0, "-10°C to 0°C": 0, "0°C to 10°C": 63, "10°C to 20°C": 73,
        "20°C to 30°C": 36, "30°C to 40°C": 0, "above 40°C": 0
      }
    },
    "modem": {
      "rssi": -57,
      "quality": { "rssi": -57, "rsrp": -79, "rsrq": -13, "sinr": 12 },
      "nwinf": "\\"eMTC\\",\\"20801\\",\\"LTE BAND 20\\",6400",
      "imei": "864475041522664",
      "num": "",
      "operator": "Orange F Things Mobile",
      "mode": "LTEM"
    },
    "counters": {
      "wakeup": 2281, "magnetWakeup": 4, "bleWakeup": 0, "ftp": 137, "radio": 2094,
      "alarms": 0, "usb": 14, "wd": 0, "fault": 0
    },
    "dates": {
      "lastConfig": 1598364963, "lastUpdate": 0, "lastPowerOn": 0, "lastCnxOk": 1610968521, "lastCnxKo": 1610752526
    },
    "battery": { "remainTime": null, "capaPrcent": 95, "capamAh": 13362 },
    "WmBus": {
      "CptRxPreamb": 18443, "CptRxSync": 11639, "CPtRxFrames": 5632, "CptRxFramesCrcKo": 221,
      "CptRxFramesDecodeKo": 5786, "CptRxFramesLenKo": 0, "CptRxOverrun": 0, "CptRxTimeOut": 0, "CptRecFrames": 253
    }
  },
  "crc": 0
}`;

export const LOG_EXAMPLE = `{
  "uid": "WE_1234",
  "source": "schedule",
  "TS": 1560068897,
  "log": [
    { "T": 1598348100, "C": 33554432, "D": "[APP][appModeInit():133]mode: run" },
    { "T": 1598348100, "C": 33554432, "D": "[APP][appRun():27]run application" },
    { "T": 1598348100, "C": 3, "D": "[RADIO][appRadioTask():57]radio task" },
    { "T": 1598348100, "C": 3, "D": "[FRAME][Frame_FastFilter_Init():57]white list filter disable" },
    { "T": 1598348100, "C": 33554432, "D": "[RADIO][appRadioTask():98]Windowsduration: 30" },
    { "T": 1598348130, "C": 33554432, "D": "[FRAME][Frame_Process_Cmd():226]RX Frame count:5" },
    { "T": 1598348134, "C": 3, "D": "[PERIODIC][periodicTask():49]periodic task" },
    { "T": 1598348134, "C": 33554432, "D": "[RADIO][appRadioNextAlarm():144]Next Alarm: Tue Aug 25 09:40:00 2020\\n data: 30" }
  ],
  "crc": 0
}`;
