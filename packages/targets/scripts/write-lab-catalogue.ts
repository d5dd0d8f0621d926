import { writeFileSync } from 'node:fs';
import { labEscapes } from '../src/catalogue-addresses.ts';
import { LAB_CATALOGUE_PATH, readShippedCatalogue } from '../src/catalogue-files.ts';
import { labCatalogueFrom } from '../src/lab-catalogue.ts';

// Regenerates data/catalogue.lab.json from data/catalogue.real.ts after an edit (docs/catalogue.md).
const lab = labCatalogueFrom(await readShippedCatalogue('real'));
const escapes = labEscapes(lab);
if (escapes.length > 0) {
  console.error('the generated lab catalogue would leave the lab:', escapes);
  process.exit(1);
}
writeFileSync(LAB_CATALOGUE_PATH, `${JSON.stringify(lab, null, 2)}\n`);
console.log(
  `wrote ${LAB_CATALOGUE_PATH}: ${lab.targets.length} targets, ${lab.dns_zone.length} zone records`,
);
