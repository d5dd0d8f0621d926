export * from './aggregator-config.ts';
export * from './archive-reader.ts';
export * from './raw-archive.ts';
export * from './settings.ts';
export * from './start-aggregator.ts';
export * from './target-expectations.ts';
