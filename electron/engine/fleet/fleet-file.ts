import { FleetSpec } from '../../../shared/contract/model';
import { readYamlFile } from '../yaml-file';

/**
 * Reads a fleet YAML file. Any problem — unreadable, too large, not YAML, not a valid fleet (replicas
 * included) — is a ContractError listing every mistake as `FILE:LINE:COL: field.path: message`.
 */
export function loadFleetFile(file: string): FleetSpec {
  return readYamlFile(file, FleetSpec, 'fleet file');
}
