export { CheckpointShipper, type CheckpointShipperOptions, type ShipRoute } from './checkpoint-shipper';
export {
  FailoverController,
  type BalancerPort,
  type Detection,
  type FailedOver,
  type FailoverControllerOptions,
  type FailoverListener,
  type FleetPort,
  type ShipperPort,
} from './failover-controller';
export { httpNodeAdmin, type NodeAdmin } from './node-admin';
export { fleetForTopology, rolesOf, upstreamsFor, type UpstreamTarget } from './topology';
