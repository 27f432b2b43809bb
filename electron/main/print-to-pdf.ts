import { writeFile } from 'node:fs/promises';
import type { WebContents } from 'electron';

/** Prints what a webContents shows (a drill report, later) to a PDF file; returns the path. */
export async function printToPdf(contents: WebContents, path: string): Promise<string> {
  const data = await contents.printToPDF({ printBackground: true, pageSize: 'A4' });
  await writeFile(path, data);
  return path;
}
