// One stage per toxic type (Toxiproxy's registry): `createStage` makes the stage a connection runs.
import type { LinkControl, ToxicAttributes, ToxicEnv, ToxicStage } from '../toxic-stage';
import type { ToxicType } from '../toxic-spec';
import { BandwidthStage } from './bandwidth';
import { LatencyStage } from './latency';
import { LimitDataStage } from './limit-data';
import { ResetPeerStage } from './reset-peer';
import { SlicerStage } from './slicer';
import { SlowCloseStage } from './slow-close';
import { TimeoutStage } from './timeout';

type StageClass = new (env: ToxicEnv, control: LinkControl, attributes: ToxicAttributes) => ToxicStage;

const stages: Record<ToxicType, StageClass> = {
  latency: LatencyStage,
  bandwidth: BandwidthStage,
  slow_close: SlowCloseStage,
  timeout: TimeoutStage,
  reset_peer: ResetPeerStage,
  slicer: SlicerStage,
  limit_data: LimitDataStage,
};

export function createStage(type: ToxicType, attributes: ToxicAttributes, env: ToxicEnv, control: LinkControl): ToxicStage {
  return new stages[type](env, control, attributes);
}

export { BandwidthStage, LatencyStage, LimitDataStage, ResetPeerStage, SlicerStage, SlowCloseStage, TimeoutStage };
