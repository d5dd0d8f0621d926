export { OoniAggregationResponse, OoniAggregationRow } from './aggregation.ts';
export { addOoniCommands, type MeasurementQuery, type OoniCommandDeps, type WithOoniDeps } from './cli.ts';
export {
  type Agreement,
  type AgreementRow,
  AgreementTally,
  agreementOf,
  classifyImported,
  formatAgreementTable,
} from './compare/agreement.ts';
export { type ExportSummary, exportOoni, type MeasurementWithVerdict } from './export/export-ooni.ts';
export { ooniTestName, toOoniMeasurement } from './export/to-ooni.ts';
export { type MappingResult, mapOoniMeasurement } from './import/map-measurement.ts';
export { OONI_IMPORT_ENV, OONI_IMPORT_NODE_FLAGS } from './import-heap.ts';
export { formatProgress, type ImportProgress, type ImportSummary, importOoni } from './import-ooni.ts';
export { type OoniDocument, readOoniDocument } from './ooni-document.ts';
export { OoniFlags, OoniMeasurement, OoniMeasurementMeta } from './ooni-format.ts';
export { ReachmapExtension, X_REACHMAP } from './reachmap-extension.ts';
export { MAX_RECORD_CHARS, type OoniSource, readOoniSource } from './read/read-ooni-source.ts';
export { describeSkipReason, type SkipReason } from './skip-reason.ts';
