// The fault layer takes parsed specs (the contract host parses fault.inject's params): tests that drive a
// FaultRegistry directly parse their input the same way, with FaultSpec, so bad input is still refused.
import { parseOrThrow } from '../../shared/contract/errors';
import { FaultSpec } from '../../shared/contract/model';

/** `input` as the registry takes it; a ContractError (invalid-params) naming the bad field otherwise, unprefixed (`attributes.latency`). */
export function faultSpec(input: unknown): FaultSpec {
  return parseOrThrow(FaultSpec, input, 'invalid-params');
}
