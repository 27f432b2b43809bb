import { DrillSpec } from '../../../shared/drill/schema.js';
import { parseYamlText, readYamlFile } from '../yaml-file.js';

/** Reads a drill YAML file; a ContractError lists every mistake as `FILE:LINE:COL: field.path: message`. */
export function loadDrillFile(file: string): DrillSpec {
  return readYamlFile(file, DrillSpec, 'drill file');
}

/** Parses drill YAML text; `fileName` only names the source in error messages. */
export function parseDrill(text: string, fileName: string): DrillSpec {
  return parseYamlText(text, fileName, DrillSpec);
}
