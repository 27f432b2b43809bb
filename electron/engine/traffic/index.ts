export { TrafficGenerator, type TrafficSettingsPatch, type TrafficGeneratorOptions, type TrafficOutcome, type TrafficOutcomeListener, type ScheduleStats, type TrafficSettingsInput } from './traffic-generator';
export { WriteLedger, ValueCodec, type LedgerCheck, type LedgerExample, type LedgerFinding, type StateSource } from './write-ledger';
export { OperationPlan, ZipfSampler, mulberry32, keyName, ZIPF_EXPONENT, type Operation, type OperationKind } from './operation-plan';
